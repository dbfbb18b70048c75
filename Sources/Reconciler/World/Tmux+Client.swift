import Foundation

/// A person's tmux client: attaching to a session, moving between them,
/// opening a window. Only `Tmux*.swift` builds tmux's argument lists
/// (`OwnershipTests` checks it).
extension Tmux {
  /// How long a client command may take: tmux answers these at once, so
  /// one that does not has a server that is stuck.
  static let clientTimeout: Duration = .seconds(10)

  /// The command that puts this terminal on `session`: `switch-client`
  /// from inside tmux, `attach-session` from outside. For `exec`: it
  /// replaces wt, so tmux gets the terminal.
  public func clientArguments(for session: String, insideTmux: Bool) -> [String] {
    base + (insideTmux ? ["switch-client", "-t", Self.exact(session)] : ["attach-session", "-t", Self.exact(session)])
  }

  /// Moves the tmux client wt runs in (found through `$TMUX`) to
  /// `session`; false when tmux refuses or does not answer.
  public func switchClient(to session: String) async -> Bool {
    await succeeds(base + ["switch-client", "-t", Self.exact(session)])
  }

  /// Detaches the tmux client wt runs in.
  public func detachClient() async -> Bool {
    await succeeds(base + ["detach-client"])
  }

  /// Opens a window named `name` in the client's session, running
  /// `command` (an argument list; tmux runs it without a shell when it
  /// has more than one element). `name` may hold a host's text: `#` is
  /// doubled so tmux prints it as it is.
  public func newWindow(named name: String, running command: [String]) async -> Bool {
    await succeeds(base + ["new-window", "-n", Self.literal(name)] + command)
  }

  private func succeeds(_ argv: [String]) async -> Bool {
    (try? await runner.output(argv, timeout: Self.clientTimeout))?.succeeded == true
  }
}
