import Foundation
import Testing
import TestSupport

/// `wt usage` and budgets on the real Claude Code, against the Messages-API
/// stand-in reporting known usage figures (`FAKE_API_USAGE`), which it logs
/// beside its requests (`api.log.usage`).
extension EndToEnd {
  @Suite(.tags(.realAgent), .timeLimit(.minutes(5))) struct UsageTests {
    /// What the stand-in reported for the agent's conversation (the
    /// requests with tools); side requests, such as the session title, are
    /// not in Claude Code's transcript (docs/usage.md).
    static func reported(_ rig: ClaudeRig) -> [String: Int] {
      let text = (try? String(contentsOfFile: rig.apiLog + ".usage", encoding: .utf8)) ?? ""
      var sum: [String: Int] = [:]
      for line in text.split(separator: "\n") {
        guard let entry = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
          entry["conversation"] as? Bool == true, let usage = entry["usage"] as? [String: Int]
        else { continue }
        sum["input", default: 0] += usage["input_tokens"] ?? 0
        sum["output", default: 0] += usage["output_tokens"] ?? 0
        sum["cache_write", default: 0] += usage["cache_creation_input_tokens"] ?? 0
        sum["cache_read", default: 0] += usage["cache_read_input_tokens"] ?? 0
      }
      return sum
    }

    /// Adds `settings:` lines to the playground's manifest.
    static func settings(_ p: Playground, _ lines: String) throws {
      let file = "\(p.dir)/wt.yaml"
      let text = try String(contentsOfFile: file, encoding: .utf8)
      try text.replacingOccurrences(of: "settings:\n", with: "settings:\n\(lines)").write(toFile: file, atomically: true, encoding: .utf8)
    }

    @Test func theSumsAreWhatTheModelReported() throws {
      let rig = try ClaudeRig(api: ["FAKE_API_USAGE": "1234,56,100,200"])
      let p = rig.playground
      try Self.settings(p, "  prices: {claude: {input: 3, output: 15, cache_read: 0.3, cache_write: 3.75}}\n")
      let bead = try p.bead(
        "Write a",
        description: "RUN: echo a > a.txt\nRUN: git add a.txt && git commit -qm 'add a'\nRUN: '\(CLITests.binary)' done\n",
        priority: 1)
      let auto = try p.background("auto", "--interval", "2")
      defer { if auto.isRunning { auto.terminate() } }
      #expect(try p.wait(seconds: 150) { (try p.show(bead)["status"] as? String) == "closed" })
      kill(auto.processIdentifier, SIGINT)
      auto.waitUntilExit()

      // The worker is gone; its figures stay.
      #expect(!p.exists(p.worktree(bead)))
      let reported = Self.reported(rig)
      // One response per scripted command at least (the last, `wt done`, ends
      // the session before a closing answer).
      #expect((reported["input"] ?? 0) >= 1234 * 3, "\(reported)")
      let rows = try p.rows("usage", "--json")
      let mine = rows.filter { $0["worker"] as? String == "demo/\(bead)" }
      #expect(mine.count == 1, "\(rows)")
      let tokens = try #require(mine.first?["tokens"] as? [String: Int])
      #expect(tokens == reported)
      let cost = try #require(mine.first?["cost"] as? Double)
      let expected = (Double(reported["input"]!) * 3 + Double(reported["output"]!) * 15 + Double(reported["cache_read"]!) * 0.3
        + Double(reported["cache_write"]!) * 3.75) / 1e6
      #expect(abs(cost - expected) < 1e-9)
      #expect(mine.first?["day"] as? String == String(ISO8601DateFormatter().string(from: Date()).prefix(10)))
      let byProject = try p.rows("usage", "--by", "project", "--json")
      #expect(byProject.map { $0["project"] as? String } == ["demo"])
      #expect(byProject.first?["tokens"] as? [String: Int] == reported)
      #expect(try p.wt("usage").stdout.contains("demo/\(bead)"))
    }

    /// Aider's figures come from the token report it writes to its chat
    /// history after each reply, rounded as it prints them ("2.3k sent, 67
    /// received"), and stay once the worker is finished.
    @Test func aidersReportsAreCountedAndStay() throws {
      let rig = try AiderRig(apiEnvironment: ["FAKE_API_USAGE": "2345,67"])
      let p = rig.playground
      // Unstreamed, Aider takes the figures the stand-in reports; streamed
      // (without `include_usage`) it counts the tokens itself.
      let file = "\(p.dir)/wt.yaml"
      let yaml = try String(contentsOfFile: file, encoding: .utf8)
      #expect(yaml.contains("--yes-always]"))
      try yaml.replacingOccurrences(of: "--yes-always]", with: "--yes-always, --no-stream]")
        .write(toFile: file, atomically: true, encoding: .utf8)
      let bead = try p.bead("Write a", description: "WRITE: a.txt hello from aider", priority: 1)
      #expect(try p.wt("apply", "--yes").status == 0)
      #expect(try p.wait(seconds: 90) { try rig.commits(bead).contains("feat: scripted edit") })
      #expect(try p.wait(seconds: 30) { try rig.status(bead) == "idle" })
      let history = try String(contentsOfFile: "\(p.worktree(bead))/.aider.chat.history.md", encoding: .utf8)
      let reports = history.split(separator: "\n").filter { $0.hasPrefix("> Tokens: ") }
      #expect(reports.first?.hasPrefix("> Tokens: 2.3k sent, 67 received.") == true, "\(history)")
      let done = try p.wt("done", bead)
      #expect(done.status == 0, "\(done.stdout)\(done.stderr)")
      #expect(!p.exists(p.worktree(bead)))
      let row = try #require(try p.rows("usage", "--json").first { $0["worker"] as? String == "demo/\(bead)" })
      #expect(row["agent"] as? String == "aider")
      #expect(row["tokens"] as? [String: Int] == [
        "input": 2300 * reports.count, "output": 67 * reports.count, "cache_read": 0, "cache_write": 0,
      ])
    }

    /// A bead that passes its budget: its worker finishes the turn, is
    /// paused (limited, the budget named) and is not continued; its
    /// session stays.
    @Test func aBeadPastItsBudgetPausesItsWorkerAfterTheTurn() throws {
      let rig = try ClaudeRig(api: ["FAKE_API_USAGE": "1000,500,0,0"])
      let p = rig.playground
      let log = "\(p.dir)/notified"
      try Self.settings(
        p, "  budget: {bead: 2k}\n  notify: [\(CLITests.root)/Tests/Support/record-args, \(log), \"{{worker.name}}\", \"{{worker.status}}\", \"{{worker.message}}\"]\n")
      // Two tool calls and the closing answer: three responses, 4.5k in
      // all; the turn ends without `wt done`.
      let bead = try p.bead("Write a", description: "RUN: echo a > a.txt\nRUN: echo b > b.txt\n", priority: 1)
      let auto = try p.background("auto", "--interval", "1")
      defer { if auto.isRunning { auto.terminate() } }
      func row() throws -> [String: Any]? { try p.rows("status", "--json").first { $0["bead"] as? String == bead } }
      #expect(try p.wait(seconds: 150) { try row()?["status"] as? String == "limited" })
      let message = try row()?["message"] as? String ?? ""
      #expect(message.contains("paused: bead budget 2k spent"), "\(message)")
      // The whole turn ran: the closing answer came after both commands.
      #expect(rig.requests.contains("FAKE-MODEL: finished 2 command(s)") || Self.reported(rig)["output"] == 1500)
      let conversation = Self.reported(rig)
      // Another pass of the loop neither continues nor stops it.
      kill(auto.processIdentifier, SIGINT)
      auto.waitUntilExit()
      #expect(try p.wt("apply", "--yes").status == 0)
      #expect(try row()?["status"] as? String == "limited")
      #expect(Self.reported(rig) == conversation)
      #expect(try p.sh(["tmux", "-L", p.socket, "has-session", "-t", "wt-demo__\(bead)"], check: false).status == 0)
      // A new bead of its own would not start either: the bead's budget is spent.
      let ready = try p.rows("ready", "--json")
      #expect(ready.isEmpty || ready.allSatisfy { $0["bead"] as? String != bead })
      // The person was told once.
      #expect(try p.notifiersEnded(writing: log))
      let told = ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").filter { $0.contains("|limited|") }
      #expect(told.count == 1 && told.first?.contains("bead budget 2k spent") == true, "\(told)")
      let state = try String(contentsOfFile: "\(p.dir)/state/state.json", encoding: .utf8)
      #expect(state.contains("\"kind\" : \"budget\""))
    }
  }
}

extension EndToEnd {
  /// Claude Code keeps its files under `CLAUDE_CONFIG_DIR` when it is set,
  /// not under HOME: every place wt looks for them follows it.
  @Suite(.timeLimit(.minutes(2))) struct ClaudeConfigDirectoryTests {
    @Test func seanceFindsATranscriptUnderTheConfigDirectory() throws {
      let p = try Playground()
      let bead = try p.bead("Write a", priority: 1)
      let session = "0e4c8d2a-1b2c-4d5e-8f90-123456789abe"
      let event = #"{"at":"2026-12-06T15:00:00Z","bead":"\#(bead)","event":"created","session":"\#(session)","worker":"demo\/\#(bead)","worktree":"\#(p.worktree(bead))"}"#
      try FileManager.default.createDirectory(atPath: "\(p.dir)/state", withIntermediateDirectories: true)
      try (event + "\n").write(toFile: "\(p.dir)/state/events.jsonl", atomically: true, encoding: .utf8)
      let folder = "\(p.dir)/claude-config/projects/" + p.worktree(bead).replacingOccurrences(of: "/", with: "-")
      try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
      try #"{"type":"user","message":{"role":"user","content":"Work on it from the config folder"}}"#.appending("\n")
        .write(toFile: "\(folder)/\(session).jsonl", atomically: true, encoding: .utf8)
      let run = try p.sh(["CLAUDE_CONFIG_DIR=\(p.dir)/claude-config", CLITests.binary, "seance", bead, "--transcript"], check: false)
      #expect(run.status == 0, "\(run.stderr)")
      #expect(run.stdout.contains("user: Work on it from the config folder"))
    }
  }
}
