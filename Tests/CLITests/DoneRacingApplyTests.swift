import Foundation
import Testing

extension EndToEnd {
  /// `wt done` while apply passes run: the finished bead is never released,
  /// reopened or started again.
  @Suite(.timeLimit(.minutes(5))) struct DoneRacingApplyTests {
    @Test func aFinishedBeadStaysClosedAndIsNeverStartedAgain() async throws {
      let p = try Playground()
      try p.countPasses()
      let auto = try p.background("auto", "--interval", "1")
      defer { if auto.isRunning { auto.terminate(); auto.waitUntilExit() } }
      var finished: [String] = []
      for round in 1...4 {
        let id = try p.bead("Round \(round)")
        #expect(try await p.eventually { p.prompts().contains { $0.hasPrefix("Work on \(id):") } }, "round \(round) never started")
        try p.commit("round\(round).txt", "\(round)\n", in: p.worktree(id))
        // Two more applies started with the done, to meet it mid-way.
        let racing = try [["done", id], ["apply", "--yes"], ["apply", "--yes"]].map { try p.started($0) }
        var results: [Playground.Result] = []
        for run in racing { results.append(await p.finished(run)) }
        let done = results[0]
        #expect(done.status == 0, "round \(round): \(done.stderr)")
        finished.append(id)
        // A whole pass of auto after the done, which must leave every
        // finished bead alone (the earlier ones see a pass each round).
        #expect(try await p.wholePasses(1), "round \(round): no pass of auto after the done")
        for old in finished {
          #expect(try p.show(old)["status"] as? String == "closed", "\(old) was reopened")
          #expect(p.prompts().filter { $0.hasPrefix("Work on \(old):") }.count == 1, "\(old) was started again")
        }
        #expect(p.exists("\(p.repo)/round\(round).txt"))
      }
      #expect(try p.claimedWithoutWorker().isEmpty)
    }

    /// Issue 21: a worker's session is killed, `wt apply --yes` starts it
    /// again, and `wt done` merges and closes the bead while that apply
    /// waits for the new agent (which takes 2 s to its ready screen). The
    /// apply finds the agent gone before it took the prompt; it must not
    /// give back the bead that was closed meanwhile. Twenty times.
    @Test func aDoneDuringTheRestartOfAKilledWorkerNeverReopensItsBead() async throws {
      let p = try Playground(agentDelay: "2")
      for round in 1...20 {
        let id = try p.bead("Round \(round)")
        let session = "wt-demo__\(id)"
        let first = try p.wt("apply", "--yes")
        #expect(first.status == 0, "round \(round): \(first.stderr)")
        try p.commit("round\(round).txt", "\(round)\n", in: p.worktree(id))
        try p.sh(["tmux", "-L", p.socket, "kill-session", "-t", "=\(session)"])
        let apply = try p.started(["apply", "--yes"])
        // The marker: the apply made the session again and now waits for
        // its agent, the moment the issue's `wt done` landed in.
        let restarted = try await p.eventually {
          try p.sh(["tmux", "-L", p.socket, "has-session", "-t", "=\(session)"], check: false).status == 0
        }
        #expect(restarted, "round \(round): the apply never restarted \(session)")
        let done = try await p.awaited("done", id)
        #expect(done.status == 0, "round \(round): \(done.stderr)")
        let applied = await p.finished(apply)
        #expect(!applied.stdout.contains("released \(id)"), "round \(round): \(applied.stdout)")
        #expect(try p.show(id)["status"] as? String == "closed", "round \(round): \(id) was reopened: \(applied.stdout)")
        let plan = try p.wt("diff")
        #expect(!plan.stdout.contains(id), "round \(round): the next pass plans \(id) again: \(plan.stdout)")
        #expect(p.exists("\(p.repo)/round\(round).txt"))
      }
      #expect(try p.claimedWithoutWorker().isEmpty)
    }
  }
}
