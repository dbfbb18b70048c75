import Reconciler

/// What `wt prime` prints: the bead and its latest hand-over note, for a new
/// or resumed agent (the SessionStart hook runs it).
public func primeText(bead: Bead, note: String?) -> String {
  var out = "# Bead \(bead.id): \(bead.title)\n\nPriority P\(bead.priority), \(bead.type)"
  if let labels = bead.labels, !labels.isEmpty { out += ", labels: \(labels.joined(separator: ", "))" }
  out += "\n"
  if let d = bead.description, !d.isEmpty { out += "\n## Description\n\n\(d)\n" }
  if let a = bead.acceptanceCriteria, !a.isEmpty { out += "\n## Acceptance criteria\n\n\(a)\n" }
  if let note { out += "\n## Latest hand-over note\n\n\(note)\(note.hasSuffix("\n") ? "" : "\n")" }
  return out
}
