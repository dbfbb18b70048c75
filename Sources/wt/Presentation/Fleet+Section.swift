import Manifest
import Reconciler

extension Fleet {
  /// A host's answer under a heading, its text escaped like everything
  /// else wt shows: a host's wt is trusted to run work, not to write to
  /// the person's terminal.
  public static func section(_ host: RemoteHost, _ text: String) -> String {
    let body = text.hasSuffix("\n") || text.isEmpty ? text : text + "\n"
    return "── host \(host.name) (\(host.ssh)) ──\n" + TerminalText.escape(body, keepNewlines: true)
  }
}
