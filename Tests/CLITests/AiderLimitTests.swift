import Foundation
import Testing
import TestSupport

/// The real Aider under a provider limit, end to end: it has no hooks, so
/// its built-in profile's `limits:` on its screen is all wt knows.
extension EndToEnd {
  @Suite(.tags(.realAgent), .timeLimit(.minutes(5))) struct AiderLimitTests {
    /// The stand-in answers 429 past Aider's own retries (about a minute,
    /// aider/coders/base_coder.py): Aider gives up, wt declines its URL
    /// offer and shows the worker `limited` with no reset (unknown-reset);
    /// the provider recovers, and once wt's backoff is over it sends its
    /// follow-up once; Aider goes on with the bead's edit, and the bead is
    /// finished.
    @Test func aRateLimitedAiderIsLimitedThenResumedByTheClockAndFinishes() throws {
      // The window closes when the test has seen the limit, however long
      // a loaded machine took to get there (the stand-in reads this file
      // on every request).
      let control = FileManager.default.temporaryDirectory.appendingPathComponent("wt-control-\(UUID().uuidString).json").path
      try #"{"FAKE_API_ERROR": "rate_limit"}"#.write(toFile: control, atomically: true, encoding: .utf8)
      defer { try? FileManager.default.removeItem(atPath: control) }
      let rig = try AiderRig(builtInPolicy: true, apiEnvironment: ["FAKE_API_CONTROL": control])
      let p = rig.playground
      let id = try p.bead("Write a", description: "WRITE: a.txt hello from aider")
      let auto = try p.background("auto", "--interval", "2")
      defer { if auto.isRunning { auto.terminate() } }
      func row() throws -> [String: Any]? { try p.rows("status", "--json").first { $0["bead"] as? String == id } }

      // Aider's retries spent: limited, by its screen, with no reset.
      #expect(try p.wait(seconds: 150) { try row()?["status"] as? String == "limited" }, "\(StandInLimitTests.screen(p))")
      let limited = try #require(try row())
      #expect((limited["message"] as? String ?? "").contains("The API provider has rate limited you"), "\(limited)")
      #expect(limited["until"] is String, "\(limited)")
      let history = try String(contentsOfFile: "\(p.dir)/state/events.jsonl", encoding: .utf8)
      #expect(history.contains(#""by":"limit-unknown-reset""#) || history.contains(#""by": "limit-unknown-reset""#), "\(history)")
      // Its URL offer was declined, not left on the screen.
      #expect(StandInLimitTests.screen(p).contains("Open URL for more info? (Y)es/(N)o/(D)on't ask again [Yes]: n"))
      #expect(!rig.requests.contains("Continue where you stopped"))
      try "{}".write(toFile: control, atomically: true, encoding: .utf8)

      // The clock resumes it once the backoff is over; the edit goes on.
      #expect(try p.wait(seconds: 150) { try rig.commits(id).contains("feat: scripted edit") }, "\(StandInLimitTests.screen(p))")
      #expect(try String(contentsOfFile: "\(p.worktree(id))/a.txt", encoding: .utf8).contains("hello from aider"))
      // Told once (the commit message's request quotes the chat after it).
      #expect(rig.standIn.userMessages.filter { $0.hasPrefix("Continue where you stopped") }.count == 1)
      #expect(try p.wait(seconds: 30) { try row()?["status"] as? String == "idle" })
      let done = try p.wt("done", id)
      #expect(done.status == 0, "\(done.stdout)\(done.stderr)")
      kill(auto.processIdentifier, SIGINT)
      auto.waitUntilExit()
      #expect(try p.show(id)["status"] as? String == "closed")
      #expect(p.exists("\(p.repo)/a.txt"))
    }
  }
}
