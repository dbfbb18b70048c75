import Foundation
import Testing
import TestSupport

/// Issue 23 on the real Claude Code: the stand-in answers with a provider's
/// limit, wt pauses the worker with the reason and its time, and resumes it
/// by itself in its own session when the limit is over.
extension EndToEnd {
  @Suite(.tags(.realAgent), .timeLimit(.minutes(6))) struct LimitsClaudeTests {
    static func steps(_ file: String) -> String {
      """
      RUN: echo \(file) > \(file)
      RUN: git add \(file) && git commit -qm 'add \(file)'
      RUN: '\(CLITests.binary)' done
      """
    }

    static func write(_ knobs: [String: Any], to path: String) throws {
      try JSONSerialization.data(withJSONObject: knobs).write(to: URL(fileURLWithPath: path))
    }

    /// A file of the stand-in's knobs (`FAKE_API_CONTROL`), read on each
    /// request, so a test can open and close its window while Claude runs.
    static func controlFile(_ knobs: [String: Any]) throws -> String {
      let base = FileManager.default.temporaryDirectory.appendingPathComponent("wt-limits-\(UUID().uuidString.prefix(8))").path
      try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
      let control = "\(base)/control.json"
      try write(knobs, to: control)
      return control
    }

    /// A subscription's usage limit: the unified 429 with its reset, until
    /// that reset (epoch seconds).
    static func usageLimit(until reset: Int) -> [String: Any] {
      ["FAKE_API_ERROR": "rate_limit", "FAKE_API_UNIFIED": "five_hour", "FAKE_API_RESET": reset, "FAKE_API_ERROR_UNTIL": reset]
    }

    /// Claude Code on a subscription (a dummy OAuth token): the path where
    /// a usage limit carries its reset (docs/limits.md).
    static let subscription = (name: "CLAUDE_CODE_OAUTH_TOKEN", value: "sk-ant-oat01-wt-test-dummy")

    func row(_ p: Playground, _ name: String) throws -> [String: Any]? {
      try p.rows("status", "--json").first { $0["name"] as? String == name }
    }

    /// A subscription's usage limit (OAuth, the unified 429) with its
    /// reset: limited until then, kept across a restart of `wt auto`, and
    /// resumed at the reset in the same session, which finishes the bead.
    /// Claude Code's own continuation is off here, so it shows its dialog
    /// and waits; wt dismisses it and sends the follow-up, once.
    @Test func aUsageLimitPausesUntilItsResetAndTheWorkerFinishesInItsOwnSession() throws {
      // The window closes 45 s from now: the stand-in answers the unified
      // 429 until then, with that reset.
      let reset = Int(Date().timeIntervalSince1970) + 45
      let control = try Self.controlFile(Self.usageLimit(until: reset))
      let rig = try ClaudeRig(api: ["FAKE_API_CONTROL": control], credential: Self.subscription)
      let p = rig.playground
      try FileManager.default.createDirectory(atPath: "\(rig.home)/.claude", withIntermediateDirectories: true)
      try #"{"autoContinueAtUsageLimit": false}"#.write(toFile: "\(rig.home)/.claude/settings.json", atomically: true, encoding: .utf8)
      let id = try p.bead("Write a", description: Self.steps("a.txt"))
      let name = "demo/\(id)"
      var auto = try p.background("auto", "--interval", "30")
      defer { if auto.isRunning { auto.terminate() } }
      #expect(try p.wait(seconds: 40) { try row(p, name)?["status"] as? String == "limited" }, "\((try? row(p, name)) ?? [:])")
      let limited = try #require(try row(p, name))
      let until = try #require(limited["until"] as? String)
      #expect(try Date(until, strategy: .iso8601) == Date(timeIntervalSince1970: TimeInterval(reset)), "\(limited)")
      #expect((limited["message"] as? String)?.hasPrefix("usage limit: You've hit your 5-hour limit") == true, "\(limited)")
      #expect(try p.wt("status").stdout.contains("limited until "))

      // `wt auto` restarted during the pause keeps the pause and its time.
      kill(auto.processIdentifier, SIGINT)
      auto.waitUntilExit()
      auto = try p.background("auto", "--interval", "30")
      #expect(try row(p, name)?["status"] as? String == "limited")
      #expect(try row(p, name)?["until"] as? String == until)

      #expect(try p.wait(seconds: 200) { (try p.show(id)["status"] as? String) == "closed" }, "\((try? row(p, name)) ?? [:])")
      kill(auto.processIdentifier, SIGINT)
      auto.waitUntilExit()
      #expect(p.exists("\(p.repo)/a.txt"))
      #expect(rig.requests.split(separator: "\n").contains { $0.contains(#""status": 429"#) })
      // One session from first to last, and the follow-up reached it once.
      let sessions = Set(rig.events().filter { $0["worker"] == name && $0["event"] == "created" }.compactMap { $0["session"] })
      #expect(sessions.count == 1)
      let session = try #require(sessions.first)
      let transcript = try #require(rig.transcript(session: session))
      let followUps = transcript.split(separator: "\n").filter { $0.contains(#""type":"user""#) && $0.contains("Continue where you stopped") }
      #expect(followUps.count == 1, "\(followUps)")
    }

    /// A credit refusal: needs-input with the reason, never retried by
    /// wt; `wt resume` after the person fixed billing goes on in the same
    /// session.
    @Test func aBillingRefusalWaitsForAPersonAndWtResumeGoesOn() throws {
      let control = try Self.controlFile(["FAKE_API_ERROR": "credit"])
      let rig = try ClaudeRig(api: ["FAKE_API_CONTROL": control])
      let p = rig.playground
      let id = try p.bead("Write b", description: Self.steps("b.txt"))
      let name = "demo/\(id)"
      #expect(try p.wt("apply", "--yes").status == 0)
      #expect(try p.wait(seconds: 90) { try row(p, name)?["status"] as? String == "needs-input" })
      let message = try #require(try row(p, name)?["message"] as? String)
      #expect(message.hasPrefix("a person must act (billing_error)"), "\(message)")
      func failed() -> Int { rig.requests.split(separator: "\n").filter { $0.contains(#""status": 400"#) || $0.contains(#""status":400"#) }.count }
      let refused = failed()
      #expect(refused >= 1)
      // Passes come and go: nothing is sent to it again.
      #expect(try p.wt("apply", "--yes").status == 0)
      #expect(try p.wt("diff").stdout.contains("No changes"))
      #expect(failed() == refused)

      // The person added funds.
      try Self.write([:], to: control)
      let resumed = try p.wt("resume", id)
      #expect(resumed.status == 0, "\(resumed.stdout)\(resumed.stderr)")
      #expect(try p.wait(seconds: 120) { (try p.show(id)["status"] as? String) == "closed" })
      #expect(p.exists("\(p.repo)/b.txt"))
    }

    /// On an API key Claude Code retries a 429 for about 3 minutes; wt
    /// sets `CLAUDE_CODE_MAX_RETRIES=2`, so the turn ends after 3 requests
    /// and wt's backoff takes over (no reset is known on this path).
    @Test func anAPIKeyWorkerFailsFastAndBacksOff() throws {
      let control = try Self.controlFile(["FAKE_API_ERROR": "rate_limit"])
      let rig = try ClaudeRig(api: ["FAKE_API_CONTROL": control])
      let p = rig.playground
      let id = try p.bead("Write c", description: Self.steps("c.txt"))
      let name = "demo/\(id)"
      #expect(try p.wt("apply", "--yes").status == 0)
      #expect(try p.wait(seconds: 90) { try row(p, name)?["status"] as? String == "limited" })
      let limited = try #require(try row(p, name))
      #expect((limited["message"] as? String)?.hasPrefix("rate limited, no reset time given") == true, "\(limited)")
      let until = try Date(try #require(limited["until"] as? String), strategy: .iso8601)
      #expect(until > Date() && until < Date().addingTimeInterval(75))
      // One request and two retries, then the turn ended.
      let refused = rig.requests.split(separator: "\n").filter { $0.contains(#""status": 429"#) }.count
      #expect(refused == 3, "\(rig.requests)")

      try Self.write([:], to: control)
      let resumed = try p.wt("resume", id)
      #expect(resumed.status == 0, "\(resumed.stdout)\(resumed.stderr)")
      #expect(try p.wait(seconds: 120) { (try p.show(id)["status"] as? String) == "closed" })
    }

    /// Claude Code's own continuation (on by default on a subscription)
    /// is armed: wt leaves the worker alone until a minute past the reset,
    /// and exactly one continuation reaches the session, never two. Claude
    /// Code 2.1.337 went on by itself 43 s after the reset in one run, and
    /// had not 66 s after it in others (wt then took over, and Claude Code
    /// did not continue a second time), so either may be the one.
    @Test func theAgentsOwnContinuationGoesFirstAndOnlyOneContinues() throws {
      let reset = Int(Date().timeIntervalSince1970) + 45
      let control = try Self.controlFile(Self.usageLimit(until: reset))
      let rig = try ClaudeRig(api: ["FAKE_API_CONTROL": control], credential: Self.subscription)
      let p = rig.playground
      let id = try p.bead("Write d", description: Self.steps("d.txt"))
      let name = "demo/\(id)"
      let auto = try p.background("auto", "--interval", "30")
      defer { if auto.isRunning { auto.terminate() } }
      #expect(try p.wait(seconds: 40) { try row(p, name)?["status"] as? String == "limited" }, "\((try? row(p, name)) ?? [:])")
      #expect(try p.wait(seconds: 200) { (try p.show(id)["status"] as? String) == "closed" }, "\((try? row(p, name)) ?? [:])")
      kill(auto.processIdentifier, SIGINT)
      auto.waitUntilExit()
      let sessions = Set(rig.events().filter { $0["worker"] == name && $0["event"] == "created" }.compactMap { $0["session"] })
      let session = try #require(sessions.first)
      let transcript = try #require(rig.transcript(session: session))
      let prompts = transcript.split(separator: "\n").compactMap { line -> (text: String, at: Date)? in
        guard let r = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], r["type"] as? String == "user",
          let content = (r["message"] as? [String: Any])?["content"], let stamp = r["timestamp"] as? String,
          let at = try? Date(stamp, strategy: .iso8601.year().month().day().time(includingFractionalSeconds: true))
        else { return nil }
        let text = (content as? String) ?? ((content as? [[String: Any]])?.compactMap { $0["text"] as? String }.joined() ?? "")
        return (text, at)
      }
      let own = prompts.filter { $0.text.contains("Your claude.ai usage limit has reset.") }
      let ours = prompts.filter { $0.text.contains("Continue where you stopped") }
      #expect(own.count + ours.count == 1, "\(prompts.map(\.text))")
      // wt's, if any, came only after the agent's own had its minute.
      for prompt in ours {
        #expect(prompt.at >= Date(timeIntervalSince1970: TimeInterval(reset) + 60), "\(prompt)")
      }
    }

    /// The agent exited during the pause: wt starts it again on its session
    /// (still limited), and at the reset sends the follow-up there.
    @Test func anAgentThatExitedDuringThePauseIsResumedOnItsSession() throws {
      let reset = Int(Date().timeIntervalSince1970) + 40
      let control = try Self.controlFile(Self.usageLimit(until: reset))
      let rig = try ClaudeRig(api: ["FAKE_API_CONTROL": control], credential: Self.subscription)
      let p = rig.playground
      let id = try p.bead("Write e", description: Self.steps("e.txt"))
      let name = "demo/\(id)"
      let auto = try p.background("auto", "--interval", "3")
      defer { if auto.isRunning { auto.terminate() } }
      #expect(try p.wait(seconds: 40) { try row(p, name)?["status"] as? String == "limited" }, "\((try? row(p, name)) ?? [:])")
      let until = try row(p, name)?["until"] as? String
      let pid = try p.sh(["tmux", "-L", p.socket, "list-panes", "-a", "-F", "#{pane_pid}"]).stdout
      kill(try #require(Int32(pid.trimmingCharacters(in: .whitespacesAndNewlines))), SIGKILL)
      // Started again on its session, and still limited until the reset.
      #expect(try p.wait(seconds: 30) { rig.events().contains { $0["worker"] == name && $0["event"] == "restarted" } })
      #expect(try row(p, name)?["status"] as? String == "limited")
      #expect(try row(p, name)?["until"] as? String == until)
      #expect(try p.wait(seconds: 150) { (try p.show(id)["status"] as? String) == "closed" }, "\((try? row(p, name)) ?? [:])")
      kill(auto.processIdentifier, SIGINT)
      auto.waitUntilExit()
      let sessions = Set(rig.events().filter { $0["worker"] == name && $0["event"] == "created" }.compactMap { $0["session"] })
      let session = try #require(sessions.first)
      let resumedOn = rig.events().first { $0["worker"] == name && $0["event"] == "restarted" }?["resume"]
      #expect(resumedOn == session)
      let transcript = try #require(rig.transcript(session: session))
      #expect(transcript.split(separator: "\n").filter { $0.contains(#""type":"user""#) && $0.contains("Continue where you stopped") }.count == 1)
    }
  }
}
