import Foundation
import Testing
import TestSupport

extension EndToEnd {
  /// `wt new` starts outside a pass, and chooses the account as a pass
  /// would: the first of the bead's agent's accounts that is not paused;
  /// with every one paused it refuses unless forced.
  @Suite(.timeLimit(.minutes(5))) struct AccountsNewTests {
    func playground() throws -> Playground {
      let p = try Playground(workers: 3)
      let file = "\(p.dir)/wt.yaml"
      var text = try String(contentsOfFile: file, encoding: .utf8)
      // A second profile, for beads labelled `other` (agent_by_label).
      text = text.replacingOccurrences(of: "\nprojects:\n", with: """

          other:
            command: [\(CLITests.root)/Tests/Support/fake-agent]
            session_id: true
            ready: '^❯\\u00A0'
            busy: 'esc to interrupt'
            env: {FAKE_AGENT_DELAY: "0.2", FAKE_AGENT_WORK: "0.3"}
        projects:

        """)
      text += "\n" + """
            agent_by_label: {other: other}
            accounts: [a, b, c]
        accounts:
          a: {agent: fake, env: {ACCOUNT_KEY: "${KEY_A}"}}
          b: {agent: fake, env: {ACCOUNT_KEY: "${KEY_B}"}}
          c: {agent: other, env: {ACCOUNT_KEY: literal-c}}

        """
      try text.write(toFile: file, atomically: true, encoding: .utf8)
      p.env["KEY_A"] = "sk-new-a"
      p.env["KEY_B"] = "sk-new-b"
      return p
    }

    func record(_ p: Playground, _ bead: String) throws -> [String: Any] {
      let state = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(p.dir)/state/state.json"))) as? [String: Any]
      return ((state?["workers"] as? [String: Any])?["demo/\(bead)"] as? [String: Any]) ?? [:]
    }

    /// What a limit on a worker's agent records (issue 23's `limits`).
    func markLimited(_ p: Playground, _ bead: String) throws {
      let file = "\(p.dir)/state/state.json"
      var state = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: file))) as? [String: Any] ?? [:]
      var workers = state["workers"] as? [String: Any] ?? [:]
      var record = workers["demo/\(bead)"] as? [String: Any] ?? [:]
      let iso = ISO8601DateFormatter()
      record["limit"] = ["kind": "usage", "until": iso.string(from: Date().addingTimeInterval(3600)), "since": iso.string(from: Date()), "tries": 0, "reason": "429"]
      workers["demo/\(bead)"] = record
      state["workers"] = workers
      try JSONSerialization.data(withJSONObject: state).write(to: URL(fileURLWithPath: file))
    }

    @Test func wtNewTakesTheFirstFreeAccountOfTheBeadsAgent() throws {
      let p = try playground()
      let first = try p.bead("First")
      let second = try p.bead("Second")
      let third = try p.bead("Third")
      let labelled = try p.sh([p.env["WT_BD"]!, "create", "Labelled", "-l", "other", "--silent"]).stdout
        .trimmingCharacters(in: .whitespacesAndNewlines)

      #expect(try p.wt("new", first).status == 0)
      #expect(try record(p, first)["account"] as? String == "a")
      try markLimited(p, first)
      #expect(try p.wt("new", second).status == 0)
      #expect(try record(p, second)["account"] as? String == "b")
      try markLimited(p, second)

      let refused = try p.wt("new", third)
      #expect(refused.status != 0)
      #expect(refused.stderr.contains("bead \(third) would start on a paused account: every account is paused: account a limited until "), "\(refused.stderr)")
      #expect(try record(p, third)["account"] == nil)
      #expect(try p.wt("new", third, "--force").status == 0)
      #expect(try record(p, third)["account"] as? String == "a")

      // A bead labelled for the other agent takes that agent and its account.
      #expect(try p.wt("new", labelled, "--force").status == 0)
      #expect(try record(p, labelled)["agent"] as? String == "other")
      #expect(try record(p, labelled)["account"] as? String == "c")
    }
  }
}
