import Foundation
import Reconciler

extension Plan {
  /// The plan as `wt diff` prints it: one block per worker with `+ ~ -`,
  /// then waiting beads, notes and the summary line.
  public func rendered(color: Bool = false) -> String {
    func paint(_ text: String, _ code: String) -> String { color ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text }
    // Titles, reasons and notes quote bead text: shown, never obeyed.
    let shown = { (text: String) in TerminalText.escape(text) }
    var out = ""
    for change in changes {
      let code = switch change.action {
        case .create: "32"
        case .update: "33"
        case .delete: "31"
      }
      out += paint("\(change.action.rawValue) \(change.action.word) \(shown(change.worker))", code) + "\n"
      let title = change.title.isEmpty ? "" : "  \"\(shown(change.title))\""
      out += "    bead:     \(shown(change.bead))\(title)\n"
      out += "    branch:   \(shown(change.branch))\n"
      out += "    worktree: \(shown(change.worktree))\n"
      out += "    session:  \(shown(change.session))\n"
      if change.action != .delete { out += "    agent:    \(change.agent)\n" }
      if change.action != .delete, let account = change.account { out += "    account:  \(account)\n" }
      for reason in change.reasons { out += "    because:  \(shown(reason))\n" }
      out += "\n"
    }
    if !waiting.isEmpty {
      out += "Waiting:\n"
      for w in waiting { out += "  \(w.project)/\(shown(w.bead))  P\(w.priority)  \"\(shown(w.title))\": \(shown(w.reason))\n" }
      out += "\n"
    }
    if !notes.isEmpty {
      out += "Notes:\n"
      for n in notes { out += "  \(n.project): \(shown(n.text))\n" }
      out += "\n"
    }
    if changes.isEmpty {
      // Drift is the world differing from wt.yaml in a way apply leaves
      // alone unless told: "match" would be untrue.
      let drift = notes.contains { $0.text.hasPrefix("drift:") }
      out += paint(drift ? "No changes; drift from wt.yaml noted above (--prune acts on it)." : "No changes. Workers match wt.yaml.", "1") + "\n"
    } else {
      out += paint("Plan: \(count(.create)) to create, \(count(.update)) to update, \(count(.delete)) to delete.", "1") + "\n"
    }
    return out
  }
}
