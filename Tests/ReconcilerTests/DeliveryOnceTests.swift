import Foundation
import Manifest
import Testing
import TestSupport

@testable import Reconciler

/// `PromptDelivery` against a pane on a private tmux server, with a small
/// agent that asks an Aider-shaped question (aider/io.py `confirm_ask`)
/// right after it takes a line, and logs every line it receives. Once the
/// prompt is pasted, nothing but the profile's answer may be typed: no
/// second paste, no Enter into a question.
@Suite struct DeliveryOnceTests {
  final class Pane: @unchecked Sendable {
    let socket = "wt-delivery-\(UUID().uuidString.prefix(8))"
    let log: String
    let tmux: Tmux
    let runner = ProcessRunner()

    init(question: String) async throws {
      let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wt-once-\(UUID().uuidString.prefix(8))").path
      try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
      log = "\(dir)/received"
      tmux = Tmux(socket: .named(socket), runner: runner)
      let agent = """
        import sys
        log = open(sys.argv[1], "a")
        while True:
            line = input("> ")
            log.write("LINE " + line + "\\n"); log.flush()
            if line:
                answer = input(sys.argv[2] + " (Y)es/(N)o [Yes]: ")
                log.write("ANSWER " + answer + "\\n"); log.flush()
        """
      try await tmux.newSession(
        name: "agent", directory: dir, environment: [:], command: ["python3", "-c", agent, log, question], options: [:])
    }

    deinit {
      _ = try? runChild("/usr/bin/env", ["tmux", "-L", socket, "kill-server"])
    }

    var received: [String] {
      ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    func paneID() async throws -> String { try #require(try await tmux.panes().first?.paneID) }

    func waitFor(_ line: String) async throws -> Bool {
      for _ in 0..<100 {
        if received.contains(line) { return true }
        try await Task.sleep(for: .milliseconds(100))
      }
      return false
    }
  }

  let prompt = "Work on demo-1: write hello.txt"

  func delivery(_ pane: Pane) throws -> PromptDelivery {
    var d = try PromptDelivery(tmux: pane.tmux, profile: BuiltInAgents.aider)
    d.deadline = .seconds(20)
    return d
  }

  @Test func aQuestionThePolicyAnswersIsAnsweredAndThePromptGoesOnce() async throws {
    let pane = try await Pane(question: "Create new file?")
    let outcome = try await delivery(pane).deliver(prompt, to: try await pane.paneID())
    #expect(outcome == .delivered)
    #expect(try await pane.waitFor("ANSWER y"), "\(pane.received)")
    // A later pass checks again: it types nothing.
    _ = try await delivery(pane).deliver(prompt, to: try await pane.paneID(), alreadySent: true)
    try await Task.sleep(for: .seconds(1))
    #expect(pane.received == ["LINE \(prompt)", "ANSWER y"], "\(pane.received)")
  }

  @Test func aShellQuestionIsLeftToThePersonAndNothingIsTyped() async throws {
    let pane = try await Pane(question: "Run shell command?")
    let id = try await pane.paneID()
    let outcome = try await delivery(pane).deliver(prompt, to: id)
    #expect(outcome == .delivered)
    // A later pass, with the question standing: no Enter (which would say
    // yes), no second paste.
    _ = try await delivery(pane).deliver(prompt, to: id, alreadySent: true)
    try await Task.sleep(for: .seconds(1))
    #expect(pane.received == ["LINE \(prompt)"], "\(pane.received)")
    let screen = try await pane.tmux.capture(pane: id)
    guard case .question(_, let text) = try ScreenReader(profile: BuiltInAgents.aider).state(of: screen, ownText: prompt)
    else { Issue.record("not read as a question: \(screen)"); return }
    #expect(text.contains("Run shell command?"))
  }
}
