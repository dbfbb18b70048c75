import Foundation

/// The environment wt runs in, as one value: read once from the process
/// (`WTEnvironment.process`) and passed down to what needs it (`World`,
/// `Controller`, `ManifestLoader`, the commands), so every variable wt
/// reads is named here and a test hands any part of wt an environment of
/// its own.
public struct WTEnvironment: Sendable, Equatable {
  /// Every variable, for what passes the environment on as it is (a
  /// gate's commands, a worker's session, `ManifestLoader`).
  public var variables: [String: String]

  public init(_ variables: [String: String]) { self.variables = variables }

  /// This process's environment. The one place wt reads it: a process's
  /// environment does not change while it runs, so reading it once at the
  /// first use and passing the value down loses nothing, and nothing below
  /// the commands reaches for it on its own.
  public static let process = WTEnvironment(ProcessInfo.processInfo.environment)

  /// A variable that is set and not empty (wt treats `X=` as unset).
  public subscript(name: String) -> String? {
    variables[name].flatMap { $0.isEmpty ? nil : $0 }
  }

  /// `$WT_STATE_DIR`, else `$XDG_STATE_HOME/wt`, else
  /// `~/.local/state/wt`.
  public var stateDirectory: String { StateStore.directory(environment: variables) }
  /// `$WT_CONFIG`: the manifest a person named for every command.
  public var config: String? { self["WT_CONFIG"] }
  /// `$WT_WORKER`: the worker a hook or `wt done` runs for.
  public var worker: String? { self["WT_WORKER"] }
  /// `$WT_TIMEOUT` (seconds) for every external call, or why it is
  /// unusable; nil when unset.
  public var timeout: Result<Double?, SecondsError> { Seconds.timeout(environment: variables) }
  /// `$WT_LOG`: the level of `apply`'s log.
  public var logLevel: String? { self["WT_LOG"] }
  /// `$WT_CALL_STATS=1`: external calls counted for the benchmarks, here
  /// and on hosts.
  public var countsCalls: Bool { variables["WT_CALL_STATS"] == "1" }
  /// `$TMUX`: wt runs inside a tmux client (of some server: see
  /// `Tmux.isServer(ofClient:)`).
  public var insideTmux: Bool { self["TMUX"] != nil }
  /// `$TMUX` as tmux sets it in a client's panes: `SOCKET,PID,SESSION`.
  public var tmuxClient: String? { self["TMUX"] }
  /// `$NO_COLOR` (https://no-color.org): no colour, whatever the terminal.
  public var noColor: Bool { self["NO_COLOR"] != nil }
  /// `$PATH`, where programs named without a folder are found.
  public var path: String { variables["PATH"] ?? "" }
  /// `$HOME`, else the account's home.
  public var home: String { variables["HOME"] ?? NSHomeDirectory() }
  /// Where tmux keeps the default server's socket (`$TMUX_TMPDIR`, else
  /// `/tmp`; "ENVIRONMENT" in tmux(1)).
  public var tmuxTemporaryDirectory: String { self["TMUX_TMPDIR"] ?? "/tmp" }
}
