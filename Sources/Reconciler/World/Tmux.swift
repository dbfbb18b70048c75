import Foundation
import Manifest

/// One pane of a tmux session, with wt's ownership marks when it has them.
public struct Pane: Hashable, Sendable {
  public var session: String
  public var paneID: String
  public var pid: Int32
  public var command: String
  public var dead: Bool
  public var project: String
  public var bead: String
  public var worktree: String
  public var hub: Bool
  /// Seconds since the epoch.
  public var created: Int
  /// When the pane last drew anything (`window_activity`, seconds since the
  /// epoch): the agent's last sign of life. Not `session_activity`, which
  /// only a person's keystrokes move, so IDLE counted from the last key.
  public var activity: Int

  /// Sessions without `@wt-project` and `@wt-bead` are never touched.
  public var isWorker: Bool { !project.isEmpty && !bead.isEmpty }
}

/// tmux, always on one server: the person's default, `-L name` or `-S path`.
public struct Tmux: Sendable {
  public var socket: Settings.TmuxSocket
  public var runner: ProcessRunner
  /// `$TMUX_TMPDIR` (`WTEnvironment.tmuxTemporaryDirectory`): where the
  /// person's default server keeps its socket.
  public var temporaryDirectory = "/tmp"

  public init(socket: Settings.TmuxSocket, runner: ProcessRunner) {
    self.socket = socket
    self.runner = runner
  }

  var base: [String] {
    switch socket {
    case .default: ["tmux"]
    case .named(let name): ["tmux", "-L", name]
    case .path(let path): ["tmux", "-S", path]
    }
  }

  /// tmux's argument for the server, for `WT_TMUX_SOCKET`.
  public var socketArgument: String {
    switch socket {
    case .default: "default"
    case .named(let name): name
    case .path(let path): path
    }
  }

  static let fields = [
    "#{session_name}", "#{pane_id}", "#{pane_pid}", "#{pane_current_command}", "#{pane_dead}", "#{@wt-project}",
    "#{@wt-bead}", "#{@wt-worktree}", "#{@wt-hub}", "#{session_created}", "#{window_activity}",
  ]

  /// Every pane on the server in one call; none when no server runs.
  public func panes() async throws -> [Pane] {
    let out = try await runner.output(base + ["list-panes", "-a", "-F", Self.fields.joined(separator: "\t")])
    guard out.succeeded else {
      // No server yet is an empty world, not an error.
      if Self.meansNothingThere(out.stderr) { return [] }
      throw CommandError(argv: base + ["list-panes"], reason: .exited(out.status), stderr: out.stderr)
    }
    return out.stdout.split(separator: "\n").compactMap { line in
      let f = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
      guard f.count == Self.fields.count else { return nil }
      return Pane(
        session: f[0], paneID: f[1], pid: Int32(f[2]) ?? 0, command: f[3], dead: f[4] == "1", project: f[5],
        bead: f[6], worktree: f[7].isEmpty ? "" : CanonicalPath.of(f[7]), hub: f[8] == "1", created: Int(f[9]) ?? 0, activity: Int(f[10]) ?? 0)
    }
  }

  /// Starts `command` in a new detached session and marks it as wt's in
  /// the same tmux call, so no other client ever sees an unmarked worker.
  /// `remain-on-exit` keeps the pane when the agent exits, so its last
  /// screen can be read and the death observed.
  /// `unset` names variables the session must not have, though the
  /// server's environment does: the first process starts through `env -u`,
  /// and `set-environment -r` keeps them from every later respawn.
  public func newSession(
    name: String, directory: String, environment: [String: String], unset: [String] = [], command: [String],
    options: [String: String], width: Int = 200, height: Int = 50
  ) async throws {
    var argv = base + ["new-session", "-d", "-s", name, "-c", Self.data(Self.literal(directory)), "-x", "\(width)", "-y", "\(height)"]
    for (k, v) in environment.sorted(by: { $0.key < $1.key }) { argv += ["-e", Self.data("\(k)=\(v)")] }
    argv += (unset.isEmpty ? Self.direct(command) : ["/usr/bin/env"] + unset.flatMap { ["-u", $0] } + command).map(Self.data)
    argv += [";", "set-option", "-t", Self.exact(name) + ":", "remain-on-exit", "on"]
    for k in unset { argv += [";", "set-environment", "-t", Self.exact(name), "-r", k] }
    for (k, v) in options.sorted(by: { $0.key < $1.key }) { argv += [";", "set-option", "-t", Self.exact(name) + ":", k, Self.data(v)] }
    do { try await runner.run(argv) } catch {
      // The message names the command for a person to run by hand; an
      // account's key in `-e` must not be in it.
      var hidden = error
      hidden.argv = Self.hidingValues(error.argv)
      throw hidden
    }
  }

  /// `-e NAME=VALUE` as `-e NAME=…`: what a failed start may show.
  static func hidingValues(_ argv: [String]) -> [String] {
    argv.enumerated().map { i, word in
      guard i > 0, argv[i - 1] == "-e", let eq = word.firstIndex(of: "=") else { return word }
      return word[...eq] + "…"
    }
  }

  /// The longest prompt wt passes on an agent's command line. tmux sends a
  /// command to its server as one message of at most 16 KiB
  /// (`MAX_IMSGSIZE`, tmux's compat/imsg.h), shared by every argument, the
  /// environment (`-e`), the folder and the options; over it tmux says
  /// "command too long" and starts nothing. Measured on tmux 3.3a: one
  /// argument of 16 325 bytes passes, 16 326 do not; with an 8 000-byte
  /// argument, 8 320 bytes of environment are left. Half the message for
  /// the prompt leaves the other half for the rest; a longer prompt is
  /// pasted instead.
  public static let promptArgumentLimit = 8 * 1024
  /// The whole message, as measured there (see above).
  public static let commandLimit = 16_325

  /// Names in the server's global environment, which every new session
  /// starts with; none when no server runs.
  public func globalEnvironmentNames() async throws -> [String] {
    let out = try await runner.output(base + ["show-environment", "-g"])
    guard out.succeeded else { return [] }
    return out.stdout.split(separator: "\n").compactMap { line in
      line.hasPrefix("-") ? nil : line.split(separator: "=", maxSplits: 1).first.map(String.init)
    }
  }

  public func respawn(pane: String, directory: String, command: [String]) async throws {
    try await runner.run(base + ["respawn-pane", "-k", "-t", pane, "-c", Self.data(Self.literal(directory))] + Self.direct(command).map(Self.data))
  }

  /// tmux's ways of saying the server or session is not there, which for
  /// listing means "nothing" and for killing means "already done".
  static func meansNothingThere(_ stderr: String) -> Bool {
    // "server exited unexpectedly": the last session closed while we asked.
    ["no server running", "error connecting", "No such file", "can't find session", "no current target", "server exited unexpectedly"]
      .contains { stderr.contains($0) }
  }

  /// tmux runs a one-word command through `sh -c` but executes several
  /// words directly; `env` makes a one-word command two words, so nothing
  /// is ever read by a shell.
  static func direct(_ command: [String]) -> [String] {
    command.count == 1 ? ["/usr/bin/env", command[0]] : command
  }

  /// An argument that is data, safe from tmux's command parser: an
  /// argument ending in `;` separates tmux commands (tmux(1), COMMAND
  /// PARSING AND EXECUTION), so a prompt ending in one lost it, and a
  /// prompt that was only `;` reached the agent as nothing. tmux reads a
  /// final `\;` as a literal `;` and drops the backslash, so one is put
  /// before every final `;` (a final `\;` stays `\;`).
  public static func data(_ argument: String) -> String {
    argument.hasSuffix(";") ? String(argument.dropLast()) + "\\;" : argument
  }

  /// tmux expands formats (`#{…}`, `#(command)`) in `-c`; `##` is a
  /// literal `#`, so a folder name can never run anything.
  public static func literal(_ text: String) -> String { text.replacingOccurrences(of: "#", with: "##") }

  /// A session target that matches this name exactly: without `=`, tmux
  /// takes a unique prefix or an fnmatch pattern, so `wt-a` could reach
  /// `wt-ab`. Where tmux wants a pane (`set-option`), append `:` so that
  /// `=name` is read as the session and not as a window.
  public static func exact(_ session: String) -> String { "=\(session)" }

  public func kill(session: String) async throws {
    let out = try await runner.output(base + ["kill-session", "-t", Self.exact(session)])
    if !out.succeeded && !Self.meansNothingThere(out.stderr) {
      throw CommandError(argv: base + ["kill-session"], reason: .exited(out.status), stderr: out.stderr)
    }
  }

  /// Whether the pane exists and its program still runs; one small call,
  /// for loops that ask often.
  public func isAlive(pane: String) async throws -> Bool {
    let out = try await runner.output(base + ["display-message", "-p", "-t", pane, "#{pane_dead}"])
    return out.succeeded && out.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "0"
  }

  public func capture(pane: String) async throws -> String {
    try await runner.run(base + ["capture-pane", "-p", "-t", pane])
  }

  /// Key names (`Enter`, `Down`, `C-u`), each pressed in order.
  public func sendKeys(pane: String, _ keys: [String]) async throws {
    try await runner.run(base + ["send-keys", "-t", pane] + keys)
  }

  /// A bracketed paste: the agent receives the text as one block, and any
  /// newline in it does not submit.
  public func paste(pane: String, text: String, buffer: String) async throws {
    try await runner.run(base + ["load-buffer", "-b", buffer, "-"], input: text)
    try await runner.run(base + ["paste-buffer", "-p", "-d", "-b", buffer, "-t", pane])
  }
}
