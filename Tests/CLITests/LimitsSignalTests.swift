import Foundation
import Testing
import TestSupport

/// Issue 23 with the stand-in agent: what a limit shows, whom it tells,
/// and a person's `wt hold` and `wt resume`.
extension EndToEnd {
  @Suite(.timeLimit(.minutes(3))) struct LimitsSignalTests {
    /// The StopFailure hook's JSON and the transcript's last record, as
    /// Claude Code 2.1.337 writes them for a subscription's usage limit
    /// (docs/limits.md), with the reset `epoch`.
    static func usageLimit(_ dir: String, resetsAt epoch: Int) throws -> String {
      let transcript = "\(dir)/usage.jsonl"
      try #"{"type":"assistant","message":{"model":"<synthetic>","content":[{"type":"text","text":"You've hit your 5-hour limit · resets 3:24pm (UTC)"}]},"error":"rate_limit","isApiErrorMessage":true,"apiErrorStatus":429,"apiErrorType":"rate_limit_error","apiError":"usage_limit_reached","quotaLimits":{"status":"rejected","resetsAt":\#(epoch),"rateLimitType":"five_hour"}}"#
        .write(toFile: transcript, atomically: true, encoding: .utf8)
      return #"{"hook_event_name":"StopFailure","error":"rate_limit","transcript_path":"\#(transcript)","last_assistant_message":"You've hit your 5-hour limit · resets 3:24pm (UTC)"}"#
    }

    @Test func aPauseAndItsResumeAreToldOnceAndAPersonHoldsAndResumes() throws {
      let p = try Playground()
      let log = "\(p.dir)/notified"
      let manifest = "\(p.dir)/wt.yaml"
      try String(contentsOfFile: manifest, encoding: .utf8).replacingOccurrences(
        of: "settings:\n",
        with: "settings:\n  notify: [\(CLITests.root)/Tests/Support/record-args, \(log), \"{{worker.name}}\", \"{{worker.status}}\", \"{{worker.until}}\", \"{{account.name}}\"]\n"
      ).write(toFile: manifest, atomically: true, encoding: .utf8)
      let id = try p.bead("Slow", description: "work")
      let name = "demo/\(id)"
      #expect(try p.wt("apply", "--yes").status == 0)
      #expect(try p.wait { p.submissions().count == 1 })
      func lines() -> [String] {
        ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
      }
      // An hour from now, so the clock does not resume it during the test.
      let reset = Int(Date().timeIntervalSince1970) + 3600
      let iso = Date(timeIntervalSince1970: TimeInterval(reset)).formatted(.iso8601)
      _ = try p.wt("signal", "--worker", name, "prompt-submitted")
      #expect(try p.wt("signal", "--worker", name, "stop-failure", stdin: try Self.usageLimit(p.dir, resetsAt: reset)).status == 0)
      #expect(try p.wait(seconds: 5) { lines() == ["\(name)|limited|\(iso)|"] }, "\(lines())")
      let row = try #require(try p.rows("status", "--json").first { $0["name"] as? String == name })
      #expect(row["status"] as? String == "limited" && row["until"] as? String == iso)
      #expect(try p.wt("status").stdout.contains("limited until "))
      #expect(try p.wt("diff").stdout.contains("\(id) is limited until \(iso)"))

      // Held: said, and kept from the clock.
      let hold = try p.wt("hold", id)
      #expect(hold.status == 0 && hold.stdout.contains("held \(name)"), "\(hold.stderr)")
      #expect(try p.wt("status").stdout.contains("limited (held)"))
      #expect(try p.wt("diff").stdout.contains("held ('wt hold')"))

      // A person resumes it early: the follow-up reaches the agent once,
      // the limit is over, and that is told once.
      let resume = try p.wt("resume", id)
      #expect(resume.status == 0, "\(resume.stdout)\(resume.stderr)")
      #expect(try p.wait { p.submissions().count == 2 })
      #expect((p.submissions().last?["prompt"] as? String)?.contains("Continue where you stopped") == true, "\(p.submissions())")
      #expect(try p.wait(seconds: 5) { lines().count == 2 })
      #expect(lines().last == "\(name)|working||")
      let after = try #require(try p.rows("status", "--json").first { $0["name"] as? String == name })
      #expect(after["until"] is NSNull)
      #expect(try p.wt("diff").stdout.contains("No changes"))
      // Nothing left to resume: a refusal, exit 1.
      let again = try p.wt("resume", id)
      #expect(again.status == 1 && again.stderr.contains("not limited; nothing to resume"), "\(again.stderr)")
      #expect(p.submissions().count == 2)
    }
  }
}
