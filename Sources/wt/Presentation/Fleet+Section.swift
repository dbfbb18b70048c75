import Manifest
import Reconciler

extension Fleet {
  /// A host's answer under a heading, its text escaped like everything
  /// else wt shows: a host's wt is trusted to run work, not to write to
  /// the person's terminal.
  public static func section(_ host: RemoteHost, _ text: String) -> String {
    let body = text.hasSuffix("\n") || text.isEmpty ? text : text + "\n"
    // `reach` is the ssh destination or the whole `exec` argv (a
    // `kubernetes:` block expanded), so a person sees what runs.
    return "── host \(host.name) (\(TerminalText.escape(host.reach))) ──\n" + TerminalText.escape(body, keepNewlines: true)
  }
}
