import Foundation
import Testing

extension EndToEnd {
  /// The merge queue in batches on real git (issue 25): entries gated
  /// together once, a red batch searched for its culprit, conflicts taken
  /// out alone, speculative gates cancelled whole, first come first served.
  /// Gates are counted from the gate's own log, never timed.
  @Suite(.timeLimit(.minutes(5))) struct MergeBatchTests {
    /// Five entries in one batch, the last one bad: the batch's gate is
    /// red, the search gates three prefixes (⌈log2 5⌉), the four good ones
    /// reach main in one move, and the bad one's agent is told.
    @Test func aBatchOfFiveWithOneBadEntry() async throws {
      let p = try Playground(workers: 5)
      try p.commitCountingGate()
      try p.setMerge("{batch: 5, parallel: 1}")
      let ids = try (1...5).map { try p.bead("Work \($0)") }
      #expect(try await p.awaited("apply", "--yes").status == 0)
      for (n, id) in ids.enumerated() {
        try p.commit(n == 4 ? "bad-\(n).txt" : "good-\(n).txt", "\(n)\n", in: p.worktree(id))
      }
      let tips = try ids.map { try p.git("rev-parse", "wt/\($0)").trimmingCharacters(in: .whitespacesAndNewlines) }
      let movesBefore = try p.movesOfMain().count
      let release = try await p.holdMergeLock()
      let dones = try await p.doneInOrder(ids)
      await release()
      var results: [Playground.Result] = []
      for done in dones { results.append(await p.finished(done)) }

      for n in 0..<4 {
        #expect(results[n].status == 0, "\(results[n].stderr)")
        #expect(try p.timesInMain(tips[n]) == 1)
        #expect(try p.show(ids[n])["status"] as? String == "closed")
      }
      #expect(results[4].status == 1)
      #expect(results[4].stderr.contains("error: bad-4.txt breaks the build"), "\(results[4].stderr)")
      #expect(try p.timesInMain(tips[4]) == 0)
      #expect(try p.show(ids[4])["status"] as? String == "in_progress")
      #expect(p.prompts().last?.contains("The first failure:\nerror: bad-4.txt breaks the build") == true)
      #expect(p.gated().count == 4, "\(p.gated())")
      let moves = try p.movesOfMain()
      #expect(moves.count == movesBefore + 1)
      #expect(p.gated().contains(moves[0]))
      #expect(try p.queue().map { $0["phase"] as? String } == ["failed"])
    }

    /// Two bad entries (second and fifth of five): each is found, the three
    /// good ones merge, every move of main was gated, and the gates stay
    /// within 2⌈log2 n⌉ + 2.
    @Test func twoBadEntries() async throws {
      let p = try Playground()
      try p.commitCountingGate()
      try p.setMerge("{batch: 5, parallel: 1}")
      let ids = try (1...5).map { try p.handWorker("Work \($0)") }
      for (n, id) in ids.enumerated() {
        try p.commit(n == 1 || n == 4 ? "bad-\(n).txt" : "good-\(n).txt", "\(n)\n", in: p.worktree(id))
      }
      let tips = try ids.map { try p.git("rev-parse", "wt/\($0)").trimmingCharacters(in: .whitespacesAndNewlines) }
      let movesBefore = try p.movesOfMain().count
      let release = try await p.holdMergeLock()
      let dones = try await p.doneInOrder(ids)
      await release()
      var results: [Playground.Result] = []
      for done in dones { results.append(await p.finished(done)) }
      for n in [0, 2, 3] {
        #expect(results[n].status == 0, "\(results[n].stderr)")
        #expect(try p.timesInMain(tips[n]) == 1)
      }
      for n in [1, 4] {
        #expect(results[n].status == 1)
        #expect(results[n].stderr.contains("error: bad-\(n).txt breaks the build"), "\(results[n].stderr)")
        #expect(try p.timesInMain(tips[n]) == 0)
      }
      #expect(p.gated().count <= 2 * 3 + 2, "\(p.gated())")
      let moves = try p.movesOfMain()
      for move in moves.prefix(moves.count - movesBefore) { #expect(p.gated().contains(move)) }
    }

    /// The second of three conflicts with the first: it alone goes back to
    /// its worker; the other two merge in one batch, one gate, one move.
    @Test func aConflictInsideABatch() async throws {
      let p = try Playground()
      try p.commitCountingGate()
      let ids = try (1...3).map { try p.handWorker("Work \($0)") }
      try p.commit("README.md", "first\n", in: p.worktree(ids[0]))
      try p.commit("README.md", "second\n", in: p.worktree(ids[1]))
      try p.commit("third.txt", "third\n", in: p.worktree(ids[2]))
      let movesBefore = try p.movesOfMain().count
      let release = try await p.holdMergeLock()
      let dones = try await p.doneInOrder(ids)
      await release()
      var results: [Playground.Result] = []
      for done in dones { results.append(await p.finished(done)) }
      #expect(results[0].status == 0 && results[2].status == 0, "\(results[0].stderr)\(results[2].stderr)")
      #expect(results[1].status == 1)
      #expect(results[1].stderr.contains("wt/\(ids[1]) conflicts with main in README.md"), "\(results[1].stderr)")
      #expect(try p.git("show", "main:README.md") == "first\n")
      #expect(try p.git("show", "main:third.txt") == "third\n")
      #expect(p.gated().count == 1)
      #expect(try p.movesOfMain().count == movesBefore + 1)
    }

    /// Batches of one, two gates at once: B's gate runs on A+B while A's
    /// runs; A fails, so B's gate (its premise) is cancelled: the process
    /// it started is gone and no gate worktree is left; B is gated again
    /// on main and merges.
    @Test func aSpeculativeGateIsCancelledWhenItsPremiseFails() async throws {
      let p = try Playground()
      // On A+B the gate starts a long child and waits for it.
      try p.commitCountingGate(
        extra: "if test -e bad-a.txt && test -e b.txt; then sleep 300 & echo $! > '\(p.dir)/sleeper.pid'; wait; fi")
      try p.setMerge("{batch: 1, parallel: 2}")
      let a = try p.handWorker("A"), b = try p.handWorker("B")
      try p.commit("bad-a.txt", "a\n", in: p.worktree(a))
      try p.commit("b.txt", "b\n", in: p.worktree(b))
      let release = try await p.holdMergeLock()
      let dones = try await p.doneInOrder([a, b])
      await release()
      let doneA = await p.finished(dones[0]), doneB = await p.finished(dones[1])
      #expect(doneA.status == 1, "\(doneA.stderr)")
      #expect(doneB.status == 0, "\(doneB.stderr)")
      #expect(try p.git("show", "main:b.txt") == "b\n")
      let sleeper = Int32((try? String(contentsOfFile: "\(p.dir)/sleeper.pid", encoding: .utf8))?
        .trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? 0
      #expect(sleeper > 0, "the speculative gate never ran")
      #expect(try !p.isRunning(sleeper), "the cancelled gate's process is still running")
      let worktrees = try p.git("worktree", "list", "--porcelain")
      #expect(!worktrees.contains("/gates/"), "\(worktrees)")
      let gates = (try? FileManager.default.contentsOfDirectory(atPath: "\(p.dir)/state/gates")) ?? []
      #expect(gates.isEmpty, "\(gates)")
    }

    /// Ten `wt done` at once: each takes a ticket, and main takes their
    /// merges in ticket order (the queue's positions), not lock luck.
    @Test func firstComeFirstServedUnderTenConcurrentDone() async throws {
      let p = try Playground()
      let ids = try (1...10).map { try p.handWorker("Work \($0)") }
      for (n, id) in ids.enumerated() { try p.commit("f\(n).txt", "\(n)\n", in: p.worktree(id)) }
      let release = try await p.holdMergeLock()
      let dones = try ids.map { try p.started(["done", $0]) }
      #expect(try await p.eventually { try p.queue().filter { $0["phase"] as? String == "waiting" }.count == 10 })
      let rows = try p.queue()
      let order = rows.sorted { ($0["position"] as? Int ?? 0) < ($1["position"] as? Int ?? 0) }.map { $0["bead"] as? String ?? "" }
      #expect(Set(rows.compactMap { $0["position"] as? Int }) == Set(1...10))
      for row in rows { #expect(row["waited"] is Int && row["gating_since"] is NSNull && row["batch"] is NSNull) }
      await release()
      for done in dones { #expect(await p.finished(done).status == 0) }
      let merged = try p.git("log", "--first-parent", "--reverse", "--format=%s", "main").split(separator: "\n")
        .compactMap { line in ids.first { line.contains("(\($0))") } }
      #expect(merged == order)
    }

    /// `merge: {order: priority}`: the bead's priority first (P0 before
    /// P3), whatever order their `wt done`s came in.
    @Test func priorityOrderPutsTheMostUrgentBeadFirst() async throws {
      let p = try Playground()
      try p.setMerge("{order: priority}")
      var ids: [String] = []
      for (n, priority) in [3, 2, 0].enumerated() {
        let id = try p.bead("Work \(n)", priority: priority)
        _ = try p.git("worktree", "add", "-q", "-b", "wt/\(id)", p.worktree(id), "main")
        try p.commit("p\(n).txt", "\(n)\n", in: p.worktree(id))
        ids.append(id)
      }
      let release = try await p.holdMergeLock()
      let dones = try await p.doneInOrder(ids)
      let positions = try p.queue().sorted { ($0["position"] as? Int ?? 0) < ($1["position"] as? Int ?? 0) }
      #expect(positions.map { $0["bead"] as? String } == [ids[2], ids[1], ids[0]])
      await release()
      for done in dones { #expect(await p.finished(done).status == 0) }
      let merged = try p.git("log", "--first-parent", "--reverse", "--format=%s", "main").split(separator: "\n")
        .compactMap { line in ids.first { line.contains("(\($0))") } }
      #expect(merged == [ids[2], ids[1], ids[0]])
    }

    /// A merge held by the person's own merge in progress is merged by `wt
    /// auto` once the person commits, with no second `wt done`.
    @Test func aHeldEntryIsMergedByTheLoopOnceItsHoldClears() async throws {
      let (p, id) = try Playground.workerBesideAPersonsMerge()
      #expect(try await p.awaited("done", id).status == 1)
      #expect(try p.queue().map { $0["phase"] as? String } == ["held"])
      let auto = try p.background("auto", "--interval", "1")
      defer { if auto.isRunning { auto.terminate(); auto.waitUntilExit() } }
      _ = try p.git("commit", "-q", "--no-edit")
      #expect(try await p.eventually(seconds: 60) { try p.show(id)["status"] as? String == "closed" })
      #expect(try p.git("show", "main:work.txt") == "work\n")
      #expect(try p.git("show", "main:README.md") == "resolved by hand\n")
    }
  }
}
