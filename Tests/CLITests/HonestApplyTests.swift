import Foundation
import Testing

/// An apply says what happened: bd's and tmux's failures are failures, with
/// their own words, and the exit status says so (issue 13).
extension EndToEnd {
  @Suite struct HonestApplyTests {
    @Test func aFailingClaimIsAFailureWithBdsMessage() throws {
      let p = try Playground()
      let id = try p.bead("Cannot claim")
      p.env["WT_FAKE_BD_FAIL"] = "update"
      let apply = try p.wt("apply", "--yes")
      #expect(apply.status == 1)
      #expect(apply.stderr.contains("+ demo/\(id): failed: "), "\(apply.stderr)")
      #expect(apply.stderr.contains("update --claim -- \(id)` failed (exit 1): injected failure of bd update"))
      #expect(apply.stdout.contains("Apply: 0 done, 0 skipped, 1 failed."), "\(apply.stdout)")
      #expect(try p.sh(["tmux", "-L", p.socket, "list-sessions"], check: false).stdout.isEmpty)
      p.env["WT_FAKE_BD_FAIL"] = nil
      #expect(try p.wt("apply", "--yes").status == 0)
    }

    @Test func aTmuxServerThatDiesUnderAnApplyFailsItsChanges() throws {
      let p = try Playground()
      let id = try p.bead("Server dies")
      // The agent's first act kills the server, at a known point of the
      // start: after the session exists, before the prompt is delivered.
      let agent = "command: [\(CLITests.root)/Tests/Support/fake-agent]"
      try ConvergenceTests.edit(p, agent, "command: [tmux, -L, \(p.socket), kill-server]")
      let apply = try p.wt("apply", "--yes")
      #expect(apply.status == 1, "\(apply.stdout) \(apply.stderr)")
      #expect(apply.stderr.contains("+ demo/\(id): failed: "), "\(apply.stderr)")
      #expect(apply.stdout.contains("0 done, 0 skipped, 1 failed."))
      #expect(try p.claimedWithoutWorker().isEmpty)
      try ConvergenceTests.edit(p, "command: [tmux, -L, \(p.socket), kill-server]", agent)
      #expect(try p.wt("apply", "--yes").status == 0)
      #expect(try p.wt("diff").stdout.contains("No changes"))
    }

    @Test func wtActorClaimsAndRecognisesItsClaims() throws {
      let p = try Playground()
      let id = try p.bead("Orphaned claim")
      try p.sh([p.env["WT_BD"]!, "update", "--claim", "--actor", "bot", "--json", "--", id])
      p.env["WT_ACTOR"] = "bot"
      let diff = try p.wt("diff")
      #expect(diff.stdout.contains("bead \(id) is claimed by bot but has no worker; adopt it"), "\(diff.stdout)")
      #expect(try p.wt("apply", "--yes").status == 0)
      #expect(try p.show(id)["assignee"] as? String == "bot")
      #expect(try p.wt("diff").stdout.contains("No changes"))
    }

    @Test func workersLoweredUnderLiveWorkersIsDriftAndPruneStopsTheNewestClean() throws {
      let p = try Playground(workers: 3)
      let ids = try (1...3).map { try p.bead("Bead \($0)", priority: $0) }
      // One at a time, so the newest is known: tmux counts creation in seconds.
      for n in 1...3 {
        try ConvergenceTests.edit(p, "workers: \(n == 1 ? 3 : n - 1)", "workers: \(n)")
        #expect(try p.wt("apply", "--yes").status == 0)
        if n < 3 { Thread.sleep(forTimeInterval: 1.1) }
      }
      // The oldest worker holds uncommitted work; the newest has none.
      try "draft\n".write(toFile: "\(p.worktree(ids[0]))/draft.txt", atomically: true, encoding: .utf8)
      try ConvergenceTests.edit(p, "workers: 3", "workers: 1")
      let diff = try p.wt("diff")
      #expect(!diff.stdout.contains("No changes. Workers match"), "\(diff.stdout)")
      #expect(diff.stdout.contains("drift: project 'demo' runs 3 workers; workers: 1; \(ids[2]) is among the newest extra workers"), "\(diff.stdout)")
      let prune = try p.wt("diff", "--prune")
      #expect(prune.stdout.contains("- delete demo/\(ids[2])"), "\(prune.stdout)")
      #expect(prune.stdout.contains("- delete demo/\(ids[1])"))
      #expect(!prune.stdout.contains("- delete demo/\(ids[0])"))
      // Lowered to 1 with the oldest dirty: the two newer (clean) go.
      let apply = try p.wt("apply", "--yes", "--prune")
      #expect(apply.status == 0, "\(apply.stdout) \(apply.stderr)")
      let status = try p.rows("status", "--json")
      #expect(status.compactMap { $0["bead"] as? String }.filter { $0 != "" }.contains(ids[0]))
      #expect(try p.show(ids[2])["status"] as? String == "open")
      #expect(try p.wt("diff").stdout.contains("No changes"))
    }
  }
}
