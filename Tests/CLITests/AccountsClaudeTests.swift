import Foundation
import Testing
import TestSupport

extension EndToEnd {
  /// Accounts on the real Claude Code: each worker talks to the
  /// Messages-API stand-in with its own account's key (the stand-in logs
  /// the key of every request), and once account a's worker is limited
  /// the next bead starts on account b.
  @Suite(.tags(.realAgent), .timeLimit(.minutes(5))) struct AccountsClaudeTests {
    static let keyA = "sk-ant-account-a-0001"
    static let keyB = "sk-ant-account-b-0002"

    /// Two accounts of claude, keys from wt's environment, first free wins.
    func rig(api: [String: String] = [:]) throws -> ClaudeRig {
      let rig = try ClaudeRig(workers: 1, api: api)
      let p = rig.playground
      let file = "\(p.dir)/wt.yaml"
      var text = try String(contentsOfFile: file, encoding: .utf8)
      text += "\n" + """
            accounts: [a, b]
        accounts:
          a: {agent: claude, env: {ANTHROPIC_API_KEY: "${KEY_A}"}}
          b: {agent: claude, env: {ANTHROPIC_API_KEY: "${KEY_B}"}}

        """
      try text.write(toFile: file, atomically: true, encoding: .utf8)
      p.env["KEY_A"] = Self.keyA
      p.env["KEY_B"] = Self.keyB
      return rig
    }

    /// The keys of the requests whose conversation is about `bead`.
    func keys(_ rig: ClaudeRig, bead: String) -> Set<String> {
      Set(rig.requests.split(separator: "\n").compactMap { line -> String? in
        guard line.contains("Work on \(bead)"),
          let row = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        else { return nil }
        return row["key"] as? String
      })
    }

    /// What the `limits` side records when a worker's agent stops on a
    /// usage limit (issue 23): the worker's `limit`, with its reset.
    func markLimited(_ p: Playground, worker: String, until: Date) throws {
      let file = "\(p.dir)/state/state.json"
      var state = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: file))) as? [String: Any])
      var workers = try #require(state["workers"] as? [String: Any])
      var record = try #require(workers[worker] as? [String: Any])
      let iso = ISO8601DateFormatter()
      record["limit"] = ["kind": "usage", "until": iso.string(from: until), "since": iso.string(from: Date()), "tries": 0, "reason": "rate_limit"]
      workers[worker] = record
      state["workers"] = workers
      try JSONSerialization.data(withJSONObject: state).write(to: URL(fileURLWithPath: file))
    }

    /// Its agent finished its turn: no hook writes its record after this.
    func idle(_ rig: ClaudeRig, _ worker: String) -> Bool {
      rig.events().contains { $0["worker"] == worker && $0["status"] == "idle" }
    }

    func account(_ p: Playground, _ worker: String) throws -> Any? {
      try p.rows("status", "--json").first { $0["name"] as? String == worker }?["account"] as Any?
    }

    /// The stand-in answers account a's key with 429s: the real Claude
    /// Code stops its turn on the limit (StopFailure), wt records the
    /// worker limited, and the next bead starts on account b, whose key
    /// the stand-in answers.
    @Test func aRealRateLimitOnAccountAPausesItAndTheNextBeadGoesToB() throws {
      let rig = try rig(api: ["FAKE_API_ERROR": "rate_limit", "FAKE_API_KEYS": Self.keyA])
      let p = rig.playground
      let first = try p.bead("Think A", description: "No commands; just answer.", priority: 1)
      let second = try p.bead("Think B", description: "No commands; just answer.", priority: 2)
      #expect(try p.wt("apply", "--yes").status == 0)
      func row(_ bead: String) throws -> [String: Any]? {
        try p.rows("status", "--json").first { $0["name"] as? String == "demo/\(bead)" }
      }
      let limited = try p.wait(seconds: 120) { try row(first)?["status"] as? String == "limited" }
      let shown = try row(first)
      #expect(limited, "\(String(describing: shown))")
      #expect(try row(first)?["account"] as? String == "a")
      // Account a is paused (no reset given with a key: backed off), so
      // the one slot goes to b.
      let diff = try p.wt("diff")
      #expect(diff.stdout.contains("+ create demo/\(second)") && diff.stdout.contains("    account:  b\n"), "\(diff.stdout)")
      #expect(try p.wt("apply", "--yes").status == 0)
      #expect(try p.wait(seconds: 120) { try p.show(second)["status"] as? String == "in_progress" && !keys(rig, bead: second).isEmpty })
      #expect(try row(second)?["account"] as? String == "b")
      #expect(keys(rig, bead: first) == [Self.keyA])
      #expect(keys(rig, bead: second) == [Self.keyB])
      #expect(!rig.requests.split(separator: "\n").contains { $0.contains("Work on \(second)") && $0.contains("\"status\": 429") })
    }

    @Test func aLimitedAccountsNextBeadStartsOnTheNextAccountWithItsKey() throws {
      let rig = try rig()
      let p = rig.playground
      let first = try p.bead("Think A", description: "No commands; just answer.", priority: 1)
      let second = try p.bead("Think B", description: "No commands; just answer.", priority: 2)
      let apply = try p.wt("apply", "--yes")
      #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
      #expect(try account(p, "demo/\(first)") as? String == "a")
      #expect(try p.wait(seconds: 60) { !keys(rig, bead: first).isEmpty })
      #expect(keys(rig, bead: first) == [Self.keyA])
      #expect(try p.wait(seconds: 60) { idle(rig, "demo/\(first)") })

      // Account a meets its usage limit: its worker holds no slot, and
      // no new worker starts on a before the reset.
      let reset = Date().addingTimeInterval(3600)
      try markLimited(p, worker: "demo/\(first)", until: reset)
      let diff = try p.wt("diff")
      #expect(diff.stdout.contains("    account:  b\n"), "\(diff.stdout)")
      #expect(diff.stdout.contains("because:  account a limited until "), "\(diff.stdout)")
      #expect(diff.stdout.contains("on account b: sets ANTHROPIC_API_KEY"))
      let next = try p.wt("apply", "--yes")
      #expect(next.status == 0, "\(next.stdout)\(next.stderr)")
      #expect(try account(p, "demo/\(second)") as? String == "b")
      #expect(try p.wait(seconds: 60) { !keys(rig, bead: second).isEmpty })
      #expect(keys(rig, bead: second) == [Self.keyB])
      #expect(keys(rig, bead: first) == [Self.keyA])
      #expect(try p.wait(seconds: 60) { idle(rig, "demo/\(second)") })

      // Both paused: a third bead waits for the earliest reset, said by
      // wt ready and wt diff --json.
      try markLimited(p, worker: "demo/\(second)", until: reset.addingTimeInterval(-600))
      let third = try p.bead("Think C", description: "No commands; just answer.", priority: 3)
      let ready = try p.rows("ready", "--json").first { $0["bead"] as? String == third }
      #expect(ready?["starts"] as? Bool == false)
      #expect((ready?["reason"] as? String)?.hasPrefix("every account is paused: account a limited until ") == true, "\(String(describing: ready))")
      let plan = try #require(p.json(try p.wt("diff", "--json").stdout) as? [String: Any])
      let waiting = (plan["waiting"] as? [[String: Any]])?.first { $0["bead"] as? String == third }
      let until = try #require(waiting?["until"] as? String)
      #expect(ISO8601DateFormatter().date(from: until).map { abs($0.timeIntervalSince(reset.addingTimeInterval(-600))) < 1 } == true)
      #expect((plan["changes"] as? [Any])?.isEmpty == true)

      // wt printed no key, whatever it printed.
      for out in [apply, diff, next] {
        #expect(!(out.stdout + out.stderr).contains("sk-ant-account"))
      }
    }
  }
}
