import Foundation
import Testing

/// Faults on real git and tmux, the bd double (with fault injection) and the
/// scripted agent. After each, the next `wt apply` converges, no bead is
/// left claimed by wt without a worker, and nothing a person wrote is gone.
extension EndToEnd {
  @Suite struct FaultTests {
    func converges(_ p: Playground, sourceLocation: SourceLocation = #_sourceLocation) throws {
      let apply = try p.wt("apply", "--yes")
      #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)", sourceLocation: sourceLocation)
      #expect(try p.wt("diff").stdout.contains("No changes"), sourceLocation: sourceLocation)
      #expect(try p.claimedWithoutWorker().isEmpty, sourceLocation: sourceLocation)
    }

    func prompts(_ p: Playground) -> [String] {
      let text = (try? String(contentsOfFile: "\(p.dir)/agent.log", encoding: .utf8)) ?? ""
      return text.split(separator: "\n").compactMap {
        (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["prompt"] as? String
      }
    }

    @Test func twoAppliesAtOnceStartEachBeadOnceAndPromptOnce() throws {
      let p = try Playground(workers: 3, agentDelay: "1")
      let ids = try (1...3).map { try p.bead("Bead \($0)") }
      let a = try p.background("apply", "--yes")
      let b = try p.background("apply", "--yes")
      a.waitUntilExit()
      b.waitUntilExit()
      let sessions = try p.sh(["tmux", "-L", p.socket, "list-sessions", "-F", "#{session_name}"]).stdout
      #expect(sessions.split(separator: "\n").sorted() == ids.map { "wt-demo__\($0)" }.sorted())
      let sent = prompts(p)
      #expect(sent.count == 3)
      #expect(Set(sent).count == 3)
      try converges(p)
    }

    @Test func theTmuxServerKilledDuringAnApply() throws {
      let p = try Playground(workers: 2, agentDelay: "2")
      _ = try (1...2).map { try p.bead("Bead \($0)") }
      let before = try p.inventory()
      let apply = try p.background("apply", "--yes")
      Thread.sleep(forTimeInterval: 1)
      _ = try p.sh(["tmux", "-L", p.socket, "kill-server"], check: false)
      apply.waitUntilExit()
      try converges(p)
      let after = try p.inventory()
      #expect(before.files.isSubset(of: after.files))
      #expect(before.commits.isSubset(of: after.commits))
      // Under load the agent may log its prompt a moment after it drew the
      // busy screen that confirmed it.
      _ = try p.wait(seconds: 10) { prompts(p).count >= 2 }
      #expect(prompts(p).count == 2)
    }

    @Test func ctrlCDuringAnApplyExits130AndTheNextApplyFinishes() throws {
      let p = try Playground(workers: 2, agentDelay: "2")
      _ = try (1...2).map { try p.bead("Bead \($0)") }
      let apply = try p.background("apply", "--yes")
      Thread.sleep(forTimeInterval: 1.2)
      kill(apply.processIdentifier, SIGINT)
      apply.waitUntilExit()
      #expect(apply.terminationStatus == 130)
      try converges(p)
      #expect(Set(prompts(p)).count == 2)
    }

    @Test func aFailingOrHangingBdLeavesProjectsAlone() throws {
      let p = try Playground()
      let id = try p.bead("Running")
      #expect(try p.wt("apply", "--yes").status == 0)
      p.env["WT_FAKE_BD_FAIL"] = "list"
      let diff = try p.wt("diff")
      #expect(diff.status == 0)
      #expect(diff.stdout.contains("demo: not observed, left alone: `"))
      #expect(diff.stdout.contains("injected failure of bd list"))
      #expect(try p.wt("apply", "--yes").status == 0)
      #expect(try p.sh(["tmux", "-L", p.socket, "has-session", "-t", "=wt-demo__\(id)"], check: false).status == 0)
      p.env["WT_FAKE_BD_FAIL"] = nil
      p.env["WT_FAKE_BD_DELAY"] = "5"
      p.env["WT_TIMEOUT"] = "1"
      // The deadline ends the hung call; the project is reported, not waited on.
      let slow = try p.wt("diff")
      #expect(slow.status == 0)
      #expect(slow.stdout.contains("demo: not observed, left alone: `"))
      #expect(slow.stdout.contains("did not finish within 1.0 seconds"))
      p.env["WT_FAKE_BD_DELAY"] = nil
      p.env["WT_TIMEOUT"] = nil
      try converges(p)
    }

    @Test func withTheStateDeletedWorkersAreStillFound() throws {
      let p = try Playground()
      let id = try p.bead("Remembered by the world")
      #expect(try p.wt("apply", "--yes").status == 0)
      try FileManager.default.removeItem(atPath: "\(p.dir)/state")
      #expect(try p.wt("diff").stdout.contains("No changes"))
      let rows = try p.rows("status", "--json")
      #expect(rows.map { $0["bead"] as? String } == [id])
      try converges(p)
      #expect(prompts(p).count == 1)
    }

    @Test func anAgentThatCrashesAtStartIsHeldBackAfterThreeTries() throws {
      let p = try Playground(agentCommand: "/usr/bin/false")
      let id = try p.bead("Crashy")
      for _ in 0..<3 {
        let apply = try p.wt("apply", "--yes")
        #expect(apply.status == 1)
        #expect(apply.stderr.contains("the agent exited before it took the prompt"))
        #expect(try p.claimedWithoutWorker().isEmpty)
        _ = try p.sh(["tmux", "-L", p.socket, "kill-server"], check: false)
      }
      let diff = try p.wt("diff")
      #expect(diff.stdout.contains("failed to start 3 times"))
      #expect(diff.stdout.contains("No changes"))
      #expect(try p.show(id)["status"] as? String == "open")
    }

    @Test func aWorktreeDeletedByHandComesBackFromItsBranch() throws {
      let p = try Playground()
      let id = try p.bead("Fragile")
      #expect(try p.wt("apply", "--yes").status == 0)
      try "kept in a commit\n".write(toFile: "\(p.worktree(id))/work.txt", atomically: true, encoding: .utf8)
      _ = try p.git("add", "work.txt", in: p.worktree(id))
      _ = try p.git("commit", "-qm", "work", in: p.worktree(id))
      try FileManager.default.removeItem(atPath: p.worktree(id))
      #expect(try p.wt("diff").stdout.contains("is gone; recreate it from branch wt/\(id)"))
      try converges(p)
      #expect(p.exists("\(p.worktree(id))/work.txt"))
    }

    @Test func aWorktreeAndBranchDeletedByHandStartAfresh() throws {
      let p = try Playground()
      let id = try p.bead("Wiped")
      #expect(try p.wt("apply", "--yes").status == 0)
      _ = try p.sh(["tmux", "-L", p.socket, "kill-server"], check: false)
      try FileManager.default.removeItem(atPath: p.worktree(id))
      _ = try p.git("worktree", "prune")
      _ = try p.git("branch", "-D", "wt/\(id)")
      try converges(p)
      #expect(p.exists(p.worktree(id)))
      #expect(try p.git("rev-parse", "--abbrev-ref", "HEAD", in: p.worktree(id)) == "wt/\(id)\n")
    }
  }

  @Suite struct HostileAgentTests {
    /// Agents that start after 0.2–3 s, show a trust dialog whose default
    /// answer exits, ignore keys for a while after drawing their prompt, and
    /// drop the first Enter: every prompt is delivered exactly once.
    @Test func everyPromptIsDeliveredExactlyOnce() throws {
      let p = try Playground(workers: 8, agentDelay: "0.2..3")
      var manifest = try String(contentsOfFile: "\(p.dir)/wt.yaml", encoding: .utf8)
      manifest = manifest.replacingOccurrences(
        of: "env: {FAKE_AGENT_DELAY", with: "dialogs: [{match: 'Is this a project you created or one you trust', keys: [Down, Enter]}]\n    env: {FAKE_AGENT_TRUST: \"1\", FAKE_AGENT_DROP_ENTERS: \"1\", FAKE_AGENT_READY_LAG: \"0.8\", FAKE_AGENT_DELAY")
      try manifest.write(toFile: "\(p.dir)/wt.yaml", atomically: true, encoding: .utf8)
      let ids = try (1...8).map { try p.bead("Hostile \($0)") }
      let apply = try p.wt("apply", "--yes")
      #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
      let text = (try? String(contentsOfFile: "\(p.dir)/agent.log", encoding: .utf8)) ?? ""
      let prompts = text.split(separator: "\n").compactMap {
        (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["prompt"] as? String
      }
      #expect(prompts.count == 8)
      let expected = ids.enumerated().map { "Work on \($1): Hostile \($0 + 1)" }
      #expect(Set(prompts.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }) == Set(expected))
    }
  }
}
