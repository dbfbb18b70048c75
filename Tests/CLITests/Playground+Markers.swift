import Foundation

/// What a test waits for instead of a fixed time.
///
/// Passes: every pass asks bd for the ready beads of each project once, as
/// it begins (`BeadsCLI.ready`), and a wrapper in front of the bd double
/// writes down each subcommand it is asked.
extension Playground {
  var bdCallLog: String { "\(dir)/bd-calls" }

  /// Puts the counting wrapper in front of the bd double (for the commands
  /// started from now on).
  func countPasses() throws {
    let wrapper = "\(dir)/bd-counting"
    let bd = env["WT_BD"] ?? "\(Self.root)/Tests/Support/bd"
    for path in [wrapper, bdCallLog, bd] where path.contains("'") {
      throw TestError("countPasses: '\(path)' cannot be quoted in a shell script")
    }
    try "#!/bin/sh\nprintf '%s\\n' \"$1\" >> '\(bdCallLog)'\nexec '\(bd)' \"$@\"\n"
      .write(toFile: wrapper, atomically: true, encoding: .utf8)
    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: wrapper)
    env["WT_BD"] = wrapper
  }

  /// Passes begun so far (with one project, one `bd ready` each).
  var passesBegun: Int {
    ((try? String(contentsOfFile: bdCallLog, encoding: .utf8)) ?? "").split(separator: "\n").filter { $0 == "ready" }.count
  }

  /// Waits until `count` whole passes have run after this call: the one
  /// under way (if any) may have looked before, so `count + 1` more begin.
  func wholePasses(_ count: Int, seconds: Double = 30) async throws -> Bool {
    let begun = passesBegun
    return try await eventually(seconds: seconds) { passesBegun >= begun + count + 1 }
  }
}

/// Notifiers: wt starts `settings.notify` before the command that told
/// ends, and does not wait for it (`Notifier.run`). Once that command has
/// ended and no process names the file a notifier writes, every line
/// there will be is written, and a notifier that was never started never
/// will be.
extension Playground {
  /// Waits until no process has `file` in its arguments (its notifier, or
  /// a script named after it, has ended); whether that came to pass.
  func notifiersEnded(writing file: String, seconds: Double = 30) throws -> Bool {
    try wait(seconds: seconds) { !ProcessEntry.all().contains { $0.commandLine.contains { $0.contains(file) } } }
  }
}

/// Keys: tmux hands a pane's keys to its program in order, so once text
/// typed after them shows in the agent's input line, the agent has read
/// every key sent before (by wt or the test) and acted on them.
extension Playground {
  /// Types a marker into `session`'s agent, waits until its screen shows
  /// it, and clears it with C-u; whether it showed.
  func keysRead(by session: String, seconds: Double = 30) throws -> Bool {
    let marker = "keys-read-\(UUID().uuidString.prefix(6))"
    try sh(["tmux", "-L", socket, "send-keys", "-t", "=\(session):", "-l", marker])
    let shown = try wait(seconds: seconds) {
      try sh(["tmux", "-L", socket, "capture-pane", "-p", "-t", "=\(session):"]).stdout.contains(marker)
    }
    try sh(["tmux", "-L", socket, "send-keys", "-t", "=\(session):", "C-u"])
    return shown
  }
}
