import Foundation
import Manifest

/// The key that brings a person back to the hub from a worker's session.
/// Key tables belong to a tmux server, not to a session ("KEY BINDINGS" in
/// tmux(1), https://man7.org/linux/man-pages/man1/tmux.1.html): a binding
/// made for the hub reaches every session of that server, so wt makes it
/// only on a server of its own (`tmux_socket` a name or a path), never on
/// the person's default server, and never over a key they bound themselves.
extension Tmux {
  /// `prefix` then this key: the hub.
  public static let hubKey = "H"

  /// What `key` does in `table`, as `list-keys` prints it; nil when it is
  /// not bound (tmux exits 1, "unknown key").
  public func binding(of key: String, table: String = "prefix") async throws -> String? {
    let out = try await runner.output(base + ["list-keys", "-T", table, key])
    guard out.succeeded else { return nil }
    let line = out.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    return line.isEmpty ? nil : line
  }

  /// `default`, or a path that is the default server's socket
  /// (`$TMUX_TMPDIR/tmux-UID/default`).
  var isPersonsDefaultServer: Bool {
    switch socket {
    case .default: return true
    case .named(let name): return name == "default"
    case .path(let path):
      return CanonicalPath.of(path) == CanonicalPath.of("\(temporaryDirectory)/tmux-\(getuid())/default")
    }
  }

  /// Whether `prefix` + `hubKey` switches to `session` on this server.
  public func hubKeyLeads(to session: String) async -> Bool {
    guard let line = try? await binding(of: Self.hubKey) else { return false }
    return line.hasSuffix("switch-client -t \(Self.exact(session))")
  }

  /// Binds `prefix` + `hubKey` to `session` on wt's own server when the key
  /// is free there; true when the key leads there afterwards.
  @discardableResult
  public func bindHubKey(to session: String) async throws -> Bool {
    guard !isPersonsDefaultServer else { return false }
    if try await binding(of: Self.hubKey) == nil {
      try await runner.run(base + ["bind-key", "-T", "prefix", Self.hubKey, "switch-client", "-t", Self.exact(session)])
    }
    return await hubKeyLeads(to: session)
  }
}
