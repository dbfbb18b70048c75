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
  }
}
