/// The closest of `candidates` to a misspelt `word`, if one is close enough
/// to be what the person meant.
public func suggestion(for word: String, among candidates: some Sequence<String>) -> String? {
  var best: (name: String, distance: Int)?
  for candidate in candidates {
    let d = editDistance(word.lowercased(), candidate.lowercased())
    let limit = max(1, min(3, candidate.count / 3))
    if d <= limit, d < (best?.distance ?? .max) { best = (candidate, d) }
  }
  return best?.name
}

/// Levenshtein distance over characters.
func editDistance(_ a: String, _ b: String) -> Int {
  let a = Array(a), b = Array(b)
  if a.isEmpty { return b.count }
  if b.isEmpty { return a.count }
  var previous = Array(0...b.count)
  var current = previous
  for i in 1...a.count {
    current[0] = i
    for j in 1...b.count {
      current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
    }
    swap(&previous, &current)
  }
  return previous[b.count]
}
