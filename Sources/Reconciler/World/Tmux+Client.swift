import Foundation

/// A person's tmux client: attaching to a session, moving between them,
/// opening a window. Only `Tmux*.swift` builds tmux's argument lists
/// (`OwnershipTests` checks it).
extension Tmux {
  /// How long a client command may take: tmux answers these at once, so
  /// one that does not has a server that is stuck.
  static let clientTimeout: Duration = .seconds(10)

  /// The socket this server listens on, as tmux names it in `$TMUX`.
  public var socketPath: String {
    switch socket {
    case .default: "\(temporaryDirectory)/tmux-\(getuid())/default"
    case .named(let name): "\(temporaryDirectory)/tmux-\(getuid())/\(name)"
    case .path(let path): path
    }
  }

  /// Whether `client` (`$TMUX`: `SOCKET,PID,SESSION`) is a client of this
  /// server. A pane of the person's own tmux, when wt runs its own server
  /// (`tmux_socket: wt`), is not: `switch-client` there would move
  /// whichever client of wt's server was used last (the hub's).
  public func isServer(ofClient client: String?) -> Bool {
    guard let client, !client.isEmpty else { return false }
    // The socket path may hold commas; the pid and session never do.
    let parts = client.split(separator: ",", omittingEmptySubsequences: false)
    let socket = parts.count >= 3 ? parts.dropLast(2).joined(separator: ",") : client
    return CanonicalPath.of(socket) == CanonicalPath.of(socketPath)
  }

  /// The command that puts this terminal on `session`: `switch-client`
  /// from a client of this server, `attach-session` from anywhere else; in
  /// another server's pane without `TMUX`, as tmux wants for a client in
  /// a client. For `exec`: it replaces wt, so tmux gets the terminal.
  public func clientArguments(for session: String, client: String?) -> [String] {
    if isServer(ofClient: client) { return base + ["switch-client", "-t", Self.exact(session)] }
    let attach = base + ["attach-session", "-t", Self.exact(session)]
    return client == nil ? attach : ["/usr/bin/env", "-u", "TMUX"] + attach
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
