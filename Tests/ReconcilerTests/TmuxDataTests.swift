import Foundation
import Testing
import TestSupport
@testable import Reconciler

/// Arguments wt hands tmux as data reach the program exactly, also those
/// tmux's command parser would read as a separator (a final `;`).
@Suite(.timeLimit(.minutes(1))) struct TmuxDataTests {
  @Test func anArgumentEndingInASemicolonReachesTheAgentAsItIs() async throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wt-tmux-\(UUID().uuidString.prefix(8))").path
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    let socket = "wt-test-\(UUID().uuidString.prefix(12))"
    let runner = ProcessRunner()
    defer {
      _ = try? runChild("/usr/bin/env", ["tmux", "-L", socket, "kill-server"])
      try? FileManager.default.removeItem(atPath: dir)
    }
    let tmux = Tmux(socket: .named(socket), runner: runner)
    let log = "\(dir)/args"
    let arguments = ["int x = 1;", ";", "a\\;", "plain", "x;y"]
    try await tmux.newSession(
      name: "s", directory: dir, environment: ["WT_TEST": "v;"], command: ["\(packageRoot)/Tests/Support/record-args", log] + arguments,
      options: ["@wt-note": "n;"])
    let end = ContinuousClock.now + .seconds(20)
    while !FileManager.default.fileExists(atPath: log), ContinuousClock.now < end { try await Task.sleep(for: .milliseconds(50)) }
    let got = try String(contentsOfFile: log, encoding: .utf8)
    #expect(got == arguments.joined(separator: "|") + "\n")
    let option = try await runner.run(["tmux", "-L", socket, "show-options", "-v", "-t", "=s:", "@wt-note"])
    #expect(option == "n;\n")
  }
}

/// A prompt goes on the agent's command line only when tmux can take the
/// whole message: the environment shares it.
@Suite(.timeLimit(.minutes(1))) struct CommandLinePromptTests {
  @Test func theEnvironmentLeavesLessRoomForThePrompt() {
    let prompt = String(repeating: "p", count: 7900)
    #expect(Applier.fitsCommandLine(prompt) == prompt)
    #expect(Applier.fitsCommandLine(prompt, besides: ["BIG": String(repeating: "y", count: 9000)]) == nil)
    #expect(Applier.fitsCommandLine(String(repeating: "p", count: 9000)) == nil)
  }

  /// An account's key goes in the same message, and so does every
  /// variable the worker must not inherit (`env -u`, `set-environment -r`).
  @Test func anAccountsVariablesCountToo() {
    let prompt = String(repeating: "p", count: 8000)
    #expect(Applier.fitsCommandLine(prompt, besides: ["ANTHROPIC_API_KEY": String(repeating: "k", count: 108)]) == prompt)
    let sources = (1...60).map { "ANTHROPIC_KEY_ACCOUNT_\($0)" }
    #expect(Applier.fitsCommandLine(prompt, besides: ["ANTHROPIC_API_KEY": String(repeating: "k", count: 108)], unsetting: sources) == nil)
  }
}

/// A pane's activity is when it last drew: an agent that prints is not
/// idle because nobody typed (IDLE counted from the last keystroke).
@Suite(.timeLimit(.minutes(1))) struct TmuxActivityTests {
  @Test func aPaneThatPrintsIsActiveWithoutAKeystroke() async throws {
    let socket = "wt-test-\(UUID().uuidString.prefix(12))"
    defer { _ = try? runChild("/usr/bin/env", ["tmux", "-L", socket, "kill-server"]) }
    let tmux = Tmux(socket: .named(socket), runner: ProcessRunner())
    try await tmux.newSession(
      name: "s", directory: NSTemporaryDirectory(), environment: [:],
      command: ["sh", "-c", "while true; do echo x; sleep 0.5; done"], options: ["@wt-project": "p", "@wt-bead": "p-1"])
    let created = try #require(try await tmux.panes().first).created
    let end = ContinuousClock.now + .seconds(20)
    var activity = created
    while activity < created + 2, ContinuousClock.now < end {
      try await Task.sleep(for: .milliseconds(250))
      activity = try await tmux.panes().first?.activity ?? created
    }
    #expect(activity >= created + 2)
  }
}
