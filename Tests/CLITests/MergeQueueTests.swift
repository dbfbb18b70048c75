import Foundation
import Testing

extension EndToEnd {
  /// `wt done` through the merge queue on real git: merges computed
  /// off-checkout, the gate on the merged result, base moved only by
  /// fast-forward or compare-and-swap, and nothing of the person's moved.
  @Suite(.timeLimit(.minutes(5))) struct MergeQueueTests {
    /// The person is in the middle of a merge in the main checkout, with a
    /// resolution staged: wt holds its merge and touches nothing; once the
    /// person commits, the next `wt done` merges.
    @Test func aPersonsMergeInProgressIsLeftAlone() async throws {
      let (p, id) = try Playground.workerBesideAPersonsMerge()
      let before = try mergeSnapshot(p)

      let done = try await p.awaited("done", id)
      #expect(done.status == 1)
      #expect(done.stderr.contains("\(p.repo) has a merge in progress; wt leaves it alone and merges nothing"))
      #expect(try mergeSnapshot(p) == before)
      #expect(try p.show(id)["status"] as? String == "open")
      let queued = try p.queue()
      #expect(queued.map { $0["phase"] as? String } == ["held"])
      #expect((queued.first?["reason"] as? String)?.contains("a merge in progress") == true)

      _ = try p.git("commit", "-q", "--no-edit")
      let again = try await p.awaited("done", id)
      #expect(again.status == 0, "\(again.stderr)")
      #expect(try p.git("show", "main:work.txt") == "work\n")
      #expect(try p.git("show", "main:README.md") == "resolved by hand\n")
      #expect(try p.show(id)["status"] as? String == "closed")
      #expect(try p.queue().isEmpty)
    }

    /// A held merge is the loop's to finish: once the person commits their
    /// own merge, the next pass of `wt apply` merges the held one (no second
    /// `wt done` needed); while the hold lasts, the plan says so and
    /// changes nothing.
    @Test func theNextPassMergesAHeldMergeOnceTheCheckoutIsFree() async throws {
      let (p, id) = try Playground.workerBesideAPersonsMerge()
      #expect(try await p.awaited("done", id).status == 1)
      let before = try mergeSnapshot(p)

      let waiting = try p.wt("diff")
      #expect(waiting.stdout.contains("merge of wt/\(id) held: \(p.repo) has a merge in progress"), "\(waiting.stdout)")
      #expect(!waiting.stdout.contains("~ update"))
      #expect(try p.wt("apply", "--yes").status == 0)
      #expect(try mergeSnapshot(p) == before)
      #expect(try p.show(id)["status"] as? String == "open")

      _ = try p.git("commit", "-q", "--no-edit")
      let plan = try p.wt("diff")
      #expect(plan.stdout.contains("~ update demo/\(id)"), "\(plan.stdout)")
      #expect(plan.stdout.contains("that is over: merge it"))
      let apply = try p.wt("apply", "--yes")
      #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
      #expect(try p.git("show", "main:work.txt") == "work\n")
      #expect(try p.git("show", "main:README.md") == "resolved by hand\n")
      #expect(try p.show(id)["status"] as? String == "closed")
      #expect(try p.queue().isEmpty)
    }

    /// A gate stopped by a signal (the person's Ctrl-C reaches the gate
    /// too) did not fail: `wt done` exits as interrupted, nothing is queued
    /// and no worker is told its gate failed.
    @Test func aGateStoppedByASignalIsNoFailure() async throws {
      let p = try Playground(gate: #"[[sh, -c, "kill -INT $$"]]"#)
      let id = try p.handWorker("Work")
      try p.commit("work.txt", "work\n", in: p.worktree(id))
      let done = try await p.awaited("done", id)
      #expect(done.status == 130, "\(done.stderr)")
      #expect(done.stderr.contains("was interrupted (signal 2)"), "\(done.stderr)")
      #expect(!done.stderr.contains("follow-up"))
      #expect(try p.queue().isEmpty)
      #expect(try p.show(id)["status"] as? String == "open")
    }

    /// MERGE_HEAD, the index, the files and HEAD of the main checkout.
    func mergeSnapshot(_ p: Playground) throws -> [String] {
      [
        try p.git("rev-parse", "HEAD", "MERGE_HEAD"), try p.git("ls-files", "-s"), try p.git("status", "--porcelain"),
        try p.git("diff"), try p.git("diff", "--cached"), String(decoding: p.read("\(p.repo)/README.md") ?? Data(), as: UTF8.self),
      ]
    }

    /// Twenty runs of three `wt done` at once (two beads, one of them
    /// twice): every commit that existed is still there and in main exactly
    /// once, every file reached main, and the main checkout is clean.
    @Test func concurrentDoneTwentyTimesLosesNothing() async throws {
      let p = try Playground(workers: 2)
      for run in 1...20 {
        let a = try p.handWorker("A\(run)"), b = try p.handWorker("B\(run)")
        try p.commit("a\(run).txt", "a \(run)\n", in: p.worktree(a), message: "work a\(run)")
        try p.commit("b\(run).txt", "b \(run)\n", in: p.worktree(b), message: "work b\(run)")
        let before = try p.inventory()
        let results = try await doneAtOnce(p, [a, b, a])
        #expect(results[1].status == 0, "run \(run): \(results[1].stderr)")
        #expect(results[0].status == 0 || results[2].status == 0, "run \(run): \(results[0].stderr) \(results[2].stderr)")
        let after = try p.inventory()
        #expect(before.commits.isSubset(of: after.commits), "run \(run) lost commits")
        #expect(before.files.isSubset(of: after.files), "run \(run) lost files")
        let inMain = Set(try p.git("rev-list", "main").split(separator: "\n").map(String.init))
        #expect(before.commits.isSubset(of: inMain), "run \(run): commits not in main")
        #expect(try p.git("status", "--porcelain").isEmpty, "run \(run)")
        #expect(!p.exists("\(p.repo)/.git/MERGE_HEAD"))
        for id in [a, b] { #expect(try p.show(id)["status"] as? String == "closed") }
      }
      let subjects = try p.git("log", "--format=%s", "main").split(separator: "\n")
      for run in 1...20 {
        #expect(subjects.filter { $0 == "work a\(run)" }.count == 1)
        #expect(subjects.filter { $0 == "work b\(run)" }.count == 1)
        #expect(p.exists("\(p.repo)/a\(run).txt") && p.exists("\(p.repo)/b\(run).txt"))
      }
      let left = try p.queue()
      #expect(left.isEmpty, "\(left)")
    }

    /// Runs `wt done` for each bead at once from one python process, awaited
    /// on a thread of its own, and returns their exit statuses and output in
    /// order.
    func doneAtOnce(_ p: Playground, _ beads: [String]) async throws -> [Playground.Result] {
      let out = "\(p.dir)/concurrent-\(UUID().uuidString.prefix(6))"
      try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
      // python, not sh: under the test runner, sh's `wait` never returned.
      let script = """
        import subprocess, sys
        wt, out, beads = sys.argv[1], sys.argv[2], sys.argv[3:]
        runs = [subprocess.Popen([wt, "done", b], stdin=subprocess.DEVNULL, stdout=open("%s/%d.out" % (out, n), "w"),
                                 stderr=open("%s/%d.err" % (out, n), "w")) for n, b in enumerate(beads, 1)]
        for n, run in enumerate(runs, 1):
            open("%s/%d.rc" % (out, n), "w").write(str(run.wait()))
        """
      let run = await p.finished(try p.startedCommand(["python3", "-c", script, CLITests.binary, out] + beads))
      #expect(run.status == 0, "\(run.stderr)")
      return (1...beads.count).map { n in
        let read = { (ext: String) in (try? String(contentsOfFile: "\(out)/\(n).\(ext)", encoding: .utf8)) ?? "" }
        return Playground.Result(
          status: Int32(read("rc").trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1, stdout: read("out"), stderr: read("err"))
      }
    }

    /// Ten merges while the person has a modified, a staged, an untracked
    /// and an ignored file: each is byte for byte the same afterwards; only
    /// the merged files appear, by fast-forward. An eleventh merge that
    /// would overwrite the person's edit is held and names the file.
    @Test func tenMergesLeaveThePersonsUncommittedWorkAsItWas() async throws {
      let p = try Playground()
      try p.commit("notes.md", "notes\n", in: p.repo)
      try p.commit("staged.md", "staged\n", in: p.repo)
      try "hello, edited\n".write(toFile: "\(p.repo)/README.md", atomically: true, encoding: .utf8)
      try "staged change\n".write(toFile: "\(p.repo)/staged.md", atomically: true, encoding: .utf8)
      _ = try p.git("add", "staged.md")
      try "mine\n".write(toFile: "\(p.repo)/untracked.txt", atomically: true, encoding: .utf8)
      try ".beads/\n.env\n".write(toFile: "\(p.repo)/.git/info/exclude", atomically: true, encoding: .utf8)
      try "SECRET=1\n".write(toFile: "\(p.repo)/.env", atomically: true, encoding: .utf8)
      let files = ["README.md", "staged.md", "untracked.txt", ".env", "notes.md"]
      let before = (files.map { p.read("\(p.repo)/\($0)") }, try p.git("diff"), try p.git("diff", "--cached"))

      for n in 1...10 {
        let id = try p.handWorker("Merge \(n)")
        try p.commit("merged\(n).txt", "\(n)\n", in: p.worktree(id))
        let done = try await p.awaited("done", id)
        #expect(done.status == 0, "\(done.stderr)")
        #expect(done.stdout.contains("(fast-forward in \(p.repo))"))
      }
      let after = (files.map { p.read("\(p.repo)/\($0)") }, try p.git("diff"), try p.git("diff", "--cached"))
      #expect(after == before)
      for n in 1...10 { #expect(p.read("\(p.repo)/merged\(n).txt") == Data("\(n)\n".utf8)) }

      let clash = try p.handWorker("Clash")
      try p.commit("README.md", "the worker's readme\n", in: p.worktree(clash))
      let head = try p.git("rev-parse", "main")
      let held = try await p.awaited("done", clash)
      #expect(held.status == 1)
      #expect(held.stderr.contains("has uncommitted changes to README.md, which the merge changes"))
      #expect(try p.git("rev-parse", "main") == head)
      #expect((files.map { p.read("\(p.repo)/\($0)") }, try p.git("diff"), try p.git("diff", "--cached")) == before)
    }

    /// With the main checkout on another branch, base moves by
    /// compare-and-swap and the checkout stays as it was.
    @Test func baseMovesByCompareAndSwapWhenNotCheckedOut() async throws {
      let p = try Playground()
      let id = try p.handWorker("Elsewhere")
      try p.commit("x.txt", "x\n", in: p.worktree(id))
      _ = try p.git("switch", "-q", "-c", "person")
      let done = try await p.awaited("done", id)
      #expect(done.status == 0, "\(done.stderr)")
      #expect(done.stdout.contains("(update-ref)"))
      #expect(try p.git("show", "main:x.txt") == "x\n")
      #expect(try p.git("rev-parse", "--abbrev-ref", "HEAD") == "person\n")
      #expect(!p.exists("\(p.repo)/x.txt"))
    }
  }
}
