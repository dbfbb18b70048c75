import Foundation
import Testing
import TestSupport

/// A terminal for `wt watch`: a pane of a tmux server of the test's own
/// (not the playground's, where wt runs its workers), running a shell that
/// notes wt's exit status and the terminal's modes before and after wt.
struct WatchTerminal {
  let p: Playground
  let socket: String

  /// Starts `wt watch` in the pane; `environment` is set for it
  /// (an empty value unsets the variable).
  init(_ p: Playground, environment: [String: String] = [:]) throws {
    self.p = p
    socket = p.socket + "-term"
    let unset = environment.filter { $0.value.isEmpty }.keys.sorted().flatMap { ["-u", $0] }
    let set = environment.filter { !$0.value.isEmpty }.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
    let script = """
      cd "$1" && stty -g > before && env \(unset.joined(separator: " ")) \(set.joined(separator: " ")) "$0" watch
      echo $? > status; tmux display-message -p -t "$TMUX_PANE" '#{alternate_on} #{cursor_flag}' > modes
      stty -g > after
      """
    // The pane stays after the shell ends, with its screen as wt left it.
    let status = try Self.run(
      [
        "/usr/bin/env", "tmux", "-L", socket, "-f", "/dev/null", "new-session", "-d", "-x", "120", "-y", "40", "-s", "term",
        "sh", "-c", script, CLITests.binary, p.dir, ";", "set-option", "-w", "-t", "=term:", "remain-on-exit", "on",
      ], environment: ProcessInfo.processInfo.environment.merging(p.env) { _, b in b }.merging(["NO_COLOR": "1"]) { _, b in b })
    guard status == 0 else { throw TestError("tmux new-session exited \(status)") }
  }

  /// Runs a program to its end, output discarded, with the default
  /// disposition of every signal (a terminal's shell ignores none of
  /// them; the test runner does). Started with posix_spawn and reaped with
  /// waitpid: Foundation's Process was seen never to notice the end of
  /// the tmux client that starts a server (waitUntilExit on a zombie).
  static func run(_ argv: [String], environment: [String: String]) throws -> Int32 {
    let pid = try spawnChild(argv, environment: environment.map { "\($0)=\($1)" })
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    return (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
  }

  /// Ends the server and removes its socket file, which tmux leaves.
  func stop() {
    let path = (try? pane("#{socket_path}")) ?? ""
    _ = try? p.sh(["tmux", "-L", socket, "kill-server"], check: false)
    if path.hasSuffix("/" + socket) { try? FileManager.default.removeItem(atPath: path) }
  }

  func pane(_ format: String) throws -> String {
    try p.sh(["tmux", "-L", socket, "display-message", "-p", "-t", "=term:", format]).stdout
      .trimmingCharacters(in: .whitespacesAndNewlines)
  }

  /// The screen, with its colours as escape sequences.
  func screen() throws -> String { try p.sh(["tmux", "-L", socket, "capture-pane", "-e", "-p", "-t", "=term:"]).stdout }

  /// The table is drawn on the alternate screen.
  func waitForTheTable(containing text: String = "wt watch") throws -> Bool {
    try p.wait(seconds: 30) { try pane("#{alternate_on}") == "1" && screen().contains(text) }
  }

  /// wt's process: the only child of the pane's shell.
  func watchProcess() throws -> pid_t? {
    let shell = try pane("#{pane_pid}")
    let children = (try? String(contentsOfFile: "/proc/\(shell)/task/\(shell)/children", encoding: .utf8)) ?? ""
    return children.split(separator: " ").first.flatMap { pid_t($0) }
  }

  func file(_ name: String) -> String? {
    (try? String(contentsOfFile: "\(p.dir)/\(name)", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
  }
}

extension EndToEnd {
  @Suite(.timeLimit(.minutes(5))) struct WatchTerminalTests {
    /// `kill` or a closed terminal ends the live watch as Ctrl-C does: the
    /// terminal's modes, the main screen and the cursor are given back, one
    /// line says why, and the status is 128 + the signal's number.
    @Test(arguments: [(SIGTERM, "143", "terminated"), (SIGHUP, "129", "hung up")])
    func aSignalEndsTheLiveWatchWithTheTerminalRestored(_ signal: Int32, _ status: String, _ word: String) throws {
      let p = try Playground()
      let terminal = try WatchTerminal(p)
      defer { terminal.stop() }
      #expect(try terminal.waitForTheTable())
      let wt = try #require(try terminal.watchProcess())
      #expect(try terminal.pane("#{cursor_flag}") == "0")
      kill(wt, signal)
      #expect(try p.wait(seconds: 30) { terminal.file("after") != nil && terminal.file("after") != "" })
      #expect(terminal.file("status") == status)
      #expect(terminal.file("after") == terminal.file("before"), "the terminal's modes were not restored")
      // As the shell found it once wt had ended: the main screen, the
      // cursor shown.
      #expect(terminal.file("modes") == "0 1")
      #expect(try terminal.screen().contains("wt: \(word)"))
    }

    /// NO_COLOR (https://no-color.org) drops the live table's colours;
    /// without it a worker that needs a person is shown in red.
    @Test func theLiveWatchHonoursNoColor() throws {
      let p = try Playground()
      let id = try p.bead("Ask")
      #expect(try p.wt("apply", "--yes").status == 0)
      #expect(try p.wt("signal", "--worker", "demo/\(id)", "needs-input", "EUR or USD?").status == 0)
      let red = #"\x1B\[[0-9;]*31[;m]"#
      for (noColor, painted) in [("1", false), ("", true)] {
        let terminal = try WatchTerminal(p, environment: ["NO_COLOR": noColor])
        defer { terminal.stop() }
        #expect(try terminal.waitForTheTable(containing: "EUR or USD?"))
        let screen = try terminal.screen()
        #expect((screen.range(of: red, options: .regularExpression) != nil) == painted, "NO_COLOR=\(noColor):\n\(screen)")
      }
    }

    /// Output to a pipe gets one plain frame, as --once prints, and wt
    /// exits, even while stdin stays open: no screen codes, no loop that
    /// no key can end.
    @Test func withoutATerminalTheWatchPrintsOnePlainFrame() throws {
      let p = try Playground()
      let id = try p.bead("Plain")
      #expect(try p.wt("apply", "--yes").status == 0)
      let watch = Process()
      watch.executableURL = URL(fileURLWithPath: CLITests.binary)
      watch.arguments = ["watch"]
      watch.currentDirectoryURL = URL(fileURLWithPath: p.repo)
      watch.environment = ProcessInfo.processInfo.environment.merging(p.env) { _, b in b }.filter { $0.key != "NO_COLOR" }
      let input = Pipe()
      let output = "\(p.dir)/watch.out"
      FileManager.default.createFile(atPath: output, contents: nil)
      watch.standardInput = input
      watch.standardOutput = FileHandle(forWritingAtPath: output)
      watch.standardError = FileHandle.nullDevice
      try watch.run()
      let ended = try p.wait(seconds: 30) { !watch.isRunning }
      if !ended { watch.terminate() }
      watch.waitUntilExit()
      #expect(ended, "wt watch kept running with its output in a file")
      let text = try String(contentsOfFile: output, encoding: .utf8)
      #expect(watch.terminationStatus == 0)
      #expect(text.contains("wt watch — 1 live worker") && text.contains("demo/\(id)"), "\(text)")
      #expect(!text.contains("\u{1B}"), "\(text.debugDescription)")
    }

    /// The hub's dashboard runs in a session of wt's tmux server, whose
    /// environment is that of whichever wt started the server: the
    /// person's NO_COLOR when they open the hub reaches it all the same.
    @Test func theHubPassesOnNoColor() throws {
      let p = try Playground()
      _ = try p.bead("Hub")
      // The server starts without NO_COLOR.
      #expect(try p.sh(["env", "-u", "NO_COLOR", CLITests.binary, "apply", "--yes"]).status == 0)
      #expect(try p.wt("hub", "--no-attach").status == 0)
      let hub = try p.sh(["tmux", "-L", p.socket, "show-environment", "-t", "=wt-hub", "NO_COLOR"], check: false).stdout
      #expect(hub == "NO_COLOR=1\n")
    }
  }
}
