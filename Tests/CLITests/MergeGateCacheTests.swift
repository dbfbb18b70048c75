import Foundation
import Testing

extension EndToEnd {
  /// Gate worktrees kept between merges (`gate_cache:`), and a merger
  /// killed in the middle of a batch.
  @Suite(.timeLimit(.minutes(5))) struct MergeGateCacheTests {
    /// `setup` runs in the kept gate worktree once, not again while the
    /// `key` file is unchanged, and again when it changed; a `keep` path
    /// survives the cleaning, anything else the gate left does not.
    @Test func setupRerunsOnlyWhenItsKeyChanged() async throws {
      let p = try Playground()
      try p.commit("deps.txt", "v1\n", in: p.repo)
      try p.commit(".gitignore", ".beads/\ncache/\njunk.txt\n", in: p.repo)
      try p.editManifest {
        $0.replacingOccurrences(
          of: "gate: []",
          with: """
            setup: [[sh, -c, "echo ran >> '\(p.dir)/setup.log'; mkdir -p cache; cp deps.txt cache/"]]
                gate: [[sh, -c, "test -e cache/deps.txt && ! test -e junk.txt && touch junk.txt"]]
                gate_cache: {key: [deps.txt], keep: [cache/]}
            """)
      }
      let setupRuns = { ((try? String(contentsOfFile: "\(p.dir)/setup.log", encoding: .utf8)) ?? "").split(separator: "\n").count }
      for (n, file) in ["a.txt", "b.txt"].enumerated() {
        let id = try p.handWorker("Work \(n)")
        try p.commit(file, "\(n)\n", in: p.worktree(id))
        let done = try await p.awaited("done", id)
        #expect(done.status == 0, "\(done.stderr)")
      }
      #expect(setupRuns() == 1)
      let id = try p.handWorker("Deps")
      try p.commit("deps.txt", "v2\n", in: p.worktree(id))
      let done = try await p.awaited("done", id)
      #expect(done.status == 0, "\(done.stderr)")
      #expect(setupRuns() == 2)
      #expect(try p.git("show", "main:deps.txt") == "v2\n")
    }

    /// The merger is killed (-9) while its batch of three is gated: main is
    /// as before the batch; the `wt done`s still waiting merge the others,
    /// and the killed one's `wt done` again merges its own: every commit in
    /// main once, every bead closed.
    @Test func killNineOfTheMergerMidBatch() async throws {
      let p = try Playground()
      // The first gate says who runs it (the merger) and never ends by
      // itself: the next merger must end it.
      try p.commitCountingGate(
        extra: """
          if ! test -e '\(p.dir)/merger.pid'; then echo $PPID $$ > '\(p.dir)/merger.pid'; while :; do sleep 0.05; done; fi
          """)
      let ids = try (1...3).map { try p.handWorker("Work \($0)") }
      for (n, id) in ids.enumerated() { try p.commit("f\(n).txt", "\(n)\n", in: p.worktree(id)) }
      let tips = try ids.map { try p.git("rev-parse", "wt/\($0)").trimmingCharacters(in: .whitespacesAndNewlines) }
      let before = try p.git("rev-parse", "main")
      let release = try await p.holdMergeLock()
      let dones = try await p.doneInOrder(ids)
      await release()
      #expect(try await p.eventually { p.exists("\(p.dir)/merger.pid") })
      let pids = try String(contentsOfFile: "\(p.dir)/merger.pid", encoding: .utf8).split(separator: " ")
        .compactMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
      #expect(pids.count == 2)
      kill(pids[0], SIGKILL)
      #expect(try p.git("rev-parse", "main") == before)
      var results: [Playground.Result] = []
      for done in dones { results.append(await p.finished(done)) }
      let killed = results.firstIndex { $0.status == 137 || $0.status == -1 || $0.status == 9 }
      #expect(killed != nil, "\(results.map(\.status))")
      for (n, result) in results.enumerated() where n != killed {
        #expect(result.status == 0, "\(result.stderr)")
      }
      if let killed {
        let again = try await p.awaited("done", ids[killed])
        #expect(again.status == 0, "\(again.stderr)")
      }
      for (n, id) in ids.enumerated() {
        #expect(try p.timesInMain(tips[n]) == 1)
        #expect(try p.show(id)["status"] as? String == "closed")
      }
      #expect(try p.git("status", "--porcelain").isEmpty)
      #expect(try !p.isRunning(pids[1]), "the killed merger's gate is still running")
    }
  }
}
