import Foundation
import Testing
import TestSupport

/// The stand-ins' limit modes (Tests/Support/fake-anthropic, fake-openai),
/// each proved once on the real agent: what the real Claude Code and the
/// real Aider make of them is what docs/limits.md records of the real
/// APIs, so tests built on these modes test wt against the real thing.
extension EndToEnd {
  @Suite(.tags(.realAgent), .timeLimit(.minutes(5))) struct StandInLimitTests {
    /// The worker's pane, as the person would see it.
    static func screen(_ p: Playground) -> String {
      let pane = (try? p.sh(["tmux", "-L", p.socket, "list-panes", "-a", "-F", "#{pane_id}"]).stdout)?
        .split(separator: "\n").first.map(String.init) ?? ""
      return (try? p.sh(["tmux", "-L", p.socket, "capture-pane", "-p", "-t", pane], check: false).stdout) ?? ""
    }

    /// The stand-in's request log, one object a line.
    static func log(_ path: String) -> [[String: Any]] {
      ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").compactMap {
        try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
      }
    }

    /// The conversation's requests (those with tools; not the title's).
    static func conversation(_ rig: ClaudeRig) -> [[String: Any]] {
      log(rig.apiLog).filter { (($0["body"] as? [String: Any])?["tools"] as? [Any])?.isEmpty == false }
    }

    /// The transcript's records of the worker's session.
    static func transcript(_ rig: ClaudeRig) throws -> [[String: Any]] {
      let session = try #require(rig.events().first { $0["event"] == "created" }?["session"])
      let text = try #require(rig.transcript(session: session))
      return text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    /// A subscription (OAuth) worker hits a 5-hour limit: the 429 carries
    /// the unified headers with a reset a few seconds ahead. Claude Code
    /// ends the turn at once (no retries), shows the limit with its reset
    /// time, records `resetsAt` in the transcript, and waits for the reset
    /// to continue by itself; the stand-in then answers and the bead's
    /// command runs.
    @Test func aSubscriptionUsageLimitShowsItsResetAndClaudeContinuesAfterIt() throws {
      let reset = Int(Date().timeIntervalSince1970) + 20
      let rig = try ClaudeRig(
        api: ["FAKE_API_ERROR": "rate_limit", "FAKE_API_UNIFIED": "five_hour", "FAKE_API_ERROR_UNTIL": String(reset)],
        credential: ("CLAUDE_CODE_OAUTH_TOKEN", "sk-ant-oat01-wt-test-dummy"))
      let p = rig.playground
      let id = try p.bead("Write a", description: "RUN: echo a > a.txt")
      #expect(try p.wt("apply", "--yes").status == 0)
      #expect(try p.wait(seconds: 60) {
        let s = Self.screen(p)
        return s.contains("You've hit your 5-hour limit · resets ") && s.contains("Continuing automatically at ")
      }, "\(Self.screen(p))")
      // The turn ended on the error (StopFailure), and the worker shows
      // limited (its kind is the hook's business: docs/limits.md).
      #expect(try p.wait(seconds: 30) {
        rig.events().contains { $0["event"] == "signal" && $0["by"]?.hasPrefix("limit-") == true && $0["status"] == "limited" }
      })
      let failed = try #require(try Self.transcript(rig).last { $0["isApiErrorMessage"] as? Bool == true })
      #expect(failed["error"] as? String == "rate_limit")
      #expect((failed["quotaLimits"] as? [String: Any])?["resetsAt"] as? Int == reset)
      #expect((failed["quotaLimits"] as? [String: Any])?["rateLimitType"] as? String == "five_hour")
      // Once the window closed, Claude Code's own continuation ran the step
      // (43 s after the reset in docs/limits.md; up to two minutes here on
      // a loaded machine).
      #expect(try p.wait(seconds: 200) { p.exists("\(p.worktree(id))/a.txt") }, "\(Self.screen(p))")
      let answers = Self.conversation(rig)
      #expect(answers.first?["status"] as? Int == 429)
      #expect(answers.contains { $0["status"] as? Int == 200 && ($0["at"] as? Double ?? 0) >= Double(reset) })
      #expect(answers.allSatisfy { $0["key"] as? String == "sk-ant-oat01-wt-test-dummy" })
    }

    /// An API-key worker: a 429 with `retry-after` is retried after at
    /// least that long and recovers once the stand-in stops failing (after
    /// one failure); the usage figures the stand-in reports are the ones
    /// in the transcript, under the message ids it logged.
    @Test func aRateLimitWithRetryAfterRecoversAndTheReportedUsageReachesTheTranscript() throws {
      let rig = try ClaudeRig(
        maxRetries: 2,
        api: [
          "FAKE_API_ERROR": "rate_limit", "FAKE_API_ERROR_COUNT": "1", "FAKE_API_RETRY_AFTER": "3",
          "FAKE_API_USAGE": "1234,56,100,200",
        ])
      let p = rig.playground
      let id = try p.bead("Write a", description: "RUN: echo a > a.txt")
      #expect(try p.wt("apply", "--yes").status == 0)
      #expect(try p.wait(seconds: 60) { p.exists("\(p.worktree(id))/a.txt") })
      #expect(try p.wait(seconds: 30) { rig.events().contains { $0["by"] == "stop" } })
      let answers = Self.conversation(rig)
      #expect(answers.map { $0["status"] as? Int } == [429, 200, 200], "\(answers.map { $0["status"] ?? "" })")
      let gap = (answers[1]["at"] as? Double ?? 0) - (answers[0]["at"] as? Double ?? 0)
      #expect(gap >= 3, "retried after \(gap) s")
      let reported = Self.log(rig.apiLog + ".usage").filter { $0["conversation"] as? Bool == true }
      #expect(reported.count == 2)
      // The transcript is written beside the hooks, not before them.
      #expect(try p.wait(seconds: 30) {
        let ids = Set(((try? Self.transcript(rig)) ?? []).compactMap { ($0["message"] as? [String: Any])?["id"] as? String })
        return reported.allSatisfy { ($0["id"] as? String).map(ids.contains) == true }
      })
      let assistant = try Self.transcript(rig).filter { $0["type"] as? String == "assistant" }
      for r in reported {
        let usage = try #require(assistant.first { ($0["message"] as? [String: Any])?["id"] as? String == r["id"] as? String })
        let figures = (usage["message"] as? [String: Any])?["usage"] as? [String: Any] ?? [:]
        #expect(figures["input_tokens"] as? Int == 1234)
        #expect(figures["output_tokens"] as? Int == 56)
        #expect(figures["cache_creation_input_tokens"] as? Int == 100)
        #expect(figures["cache_read_input_tokens"] as? Int == 200)
      }
    }

    /// 529 and the credit refusal, on an API key: the overload is retried
    /// (`CLAUDE_CODE_MAX_RETRIES` times) and ends as `server_error`; the
    /// credit refusal is not retried and ends as `billing_error`, which
    /// resending cannot cure.
    @Test func anOverloadIsRetriedAndACreditRefusalIsNot() throws {
      for (mode, error, shown, requests) in [
        ("overloaded", "server_error", "529 Overloaded", 2), ("credit", "billing_error", "Credit balance too low", 1),
      ] {
        let rig = try ClaudeRig(maxRetries: 1, api: ["FAKE_API_ERROR": mode])
        let p = rig.playground
        _ = try p.bead("Write a", description: "RUN: echo a > a.txt")
        #expect(try p.wt("apply", "--yes").status == 0)
        #expect(try p.wait(seconds: 60) { Self.screen(p).contains(shown) }, "\(Self.screen(p))")
        #expect(try p.wait(seconds: 30) { rig.events().contains { $0["by"]?.hasPrefix("limit-") == true } })
        let failed = try #require(try Self.transcript(rig).last { $0["isApiErrorMessage"] as? Bool == true })
        #expect(failed["error"] as? String == error)
        #expect((failed["resendCannotCure"] as? Bool == true) == (mode == "credit"))
        let answers = Self.conversation(rig)
        #expect(answers.count == requests && answers.allSatisfy { $0["status"] as? Int != 200 }, "\(mode): \(answers.count)")
      }
    }

    /// Aider on a 429: the OpenAI client inside litellm makes three
    /// requests, then Aider says so and retries by itself
    /// (aider/coders/base_coder.py, `send_message`); once the stand-in
    /// recovers (after that first attempt) the edit goes through.
    @Test func aiderRetriesA429ByItselfAndRecovers() throws {
      let rig = try AiderRig(apiEnvironment: ["FAKE_API_ERROR": "rate_limit", "FAKE_API_ERROR_COUNT": "3"])
      let p = rig.playground
      let id = try p.bead("Write a", description: "WRITE: a.txt hello from aider")
      #expect(try p.wt("apply", "--yes").status == 0)
      #expect(try p.wait(seconds: 90) { try rig.commits(id).contains("feat: scripted edit") }, "\(Self.screen(p))")
      let screen = Self.screen(p)
      #expect(screen.contains("The API provider has rate limited you. Try again later or check your quotas."))
      #expect(screen.contains("Retrying in 0.2 seconds..."))
      let answers = Self.log(rig.standIn.apiLog + ".status")
      #expect(answers.prefix(3).allSatisfy { $0["status"] as? Int == 429 } && answers.count > 3)
      #expect(answers.dropFirst(3).allSatisfy { $0["status"] as? Int == 200 })
    }
  }
}
