/// A bead id as bd makes it, and nothing else.
///
/// bd builds ids as `<prefix>-<hash>`: the prefix comes from `bd init
/// --prefix` or the folder's name (leading dots trimmed, trailing `-`
/// trimmed, `.` turned into `_`, `bd_` put in front when it does not start
/// with a letter or `_`), the hash is 3 to 8 lowercase base36 characters
/// (1 to 8 here: beads before hash ids numbered issues `bd-1`, `bd-2`, and
/// such databases are still in use), and children append `.<n>` (bd's
/// `internal/idgen/hash.go` and `cmd/bd/init.go`,
/// https://github.com/steveyegge/beads).
/// Beads are written by other people and synced through git, so an id
/// names a branch, a folder and a tmux session only after it passed this
/// check; anything else is refused, never repaired.
public enum BeadID {
  public static let maxPrefixLength = 64
  public static let hashLength = 1...8
  public static let maxChildDepth = 8

  public static func isValid(_ id: String) -> Bool {
    refusal(id) == nil
  }

  /// Why `id` is not a bead id bd could have made, or nil when it is one.
  /// The reason never quotes the id: callers show it escaped.
  public static func refusal(_ id: String) -> String? {
    let scalars = Array(id.unicodeScalars)
    guard !scalars.isEmpty else { return "it is empty" }
    guard scalars.allSatisfy({ $0.isASCII }) else { return "it has characters bd never uses in an id" }
    let text = String(String.UnicodeScalarView(scalars))
    // Children: `.1`, `.1.2`, each a decimal number.
    let dotParts = text.split(separator: ".", omittingEmptySubsequences: false)
    let root = dotParts[0]
    let children = dotParts.dropFirst()
    if children.count > maxChildDepth { return "it nests children deeper than bd does" }
    for child in children where child.isEmpty || !child.allSatisfy(\.isASCIINumber) || child.count > 9 {
      return "a part after '.' is not a child number"
    }
    guard let dash = root.lastIndex(of: "-") else { return "it has no '-' between prefix and hash" }
    let prefix = root[..<dash]
    let hash = root[root.index(after: dash)...]
    guard hashLength.contains(hash.count), hash.allSatisfy({ $0.isASCIINumber || ("a"..."z").contains($0) }) else {
      return "its hash is not \(hashLength.lowerBound) to \(hashLength.upperBound) lowercase letters and digits"
    }
    guard let first = prefix.first, first.isASCIILetter || first == "_" else {
      return "its prefix does not start with a letter or '_'"
    }
    guard prefix.count <= maxPrefixLength else { return "its prefix is longer than \(maxPrefixLength) characters" }
    guard prefix.allSatisfy({ $0.isASCIILetter || $0.isASCIINumber || $0 == "_" || $0 == "-" }), prefix.last != "-"
    else { return "its prefix has characters bd never puts in one" }
    return nil
  }
}

/// An agent's session id as wt hands them out and Claude Code reports
/// them: a UUID. A hook's JSON is the agent's to write, and the id ends up
/// on the agent's command line (`--resume ID`), so anything else — an
/// option such as `--dangerously-skip-permissions` — is refused.
public enum SessionID {
  public static func isValid(_ id: String) -> Bool {
    let parts = id.split(separator: "-", omittingEmptySubsequences: false)
    return parts.map(\.count) == [8, 4, 4, 4, 12] && parts.allSatisfy { $0.allSatisfy(\.isHexDigit) }
  }
}

extension Character {
  var isASCIINumber: Bool { isASCII && isNumber }
  var isASCIILetter: Bool { isASCII && isLetter }
}
