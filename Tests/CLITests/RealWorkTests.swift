import Foundation
import Testing

extension EndToEnd {
  /// Only real work closes a bead, and teardown keeps anything that might
  /// be work.
  @Suite(.timeLimit(.minutes(5))) struct RealWorkTests {
    /// No commits beyond base: refused, nothing changes; --allow-empty
    /// closes the bead without a merge.
    @Test func noCommitsIsRefusedUnlessAllowEmpty() async throws {
      let p = try Playground()
      let id = try p.handWorker("Nothing yet")
      let head = try p.git("rev-parse", "main")
      let done = try await p.awaited("done", id)
      #expect(done.status == 1)
      #expect(done.stderr.contains("wt/\(id) has no commits beyond main, so there is nothing to merge and \(id) stays open"))
      #expect(try p.show(id)["status"] as? String == "open")
      #expect(p.exists(p.worktree(id)))
      #expect(try p.queue().isEmpty)
      let empty = try await p.awaited("done", id, "--allow-empty")
      #expect(empty.status == 0, "\(empty.stderr)")
      #expect(try p.show(id)["close_reason"] as? String == "Done: no changes (--allow-empty)")
      #expect(try p.git("rev-parse", "main") == head)
    }

    /// A worker whose work reached base before its bead was closed (an
    /// earlier `wt done` stopped after the merge) finishes; one that never
    /// committed is still refused.
    @Test func workAlreadyInBaseFinishesAndNoWorkDoesNot() async throws {
      let p = try Playground(workers: 2)
      let merged = try p.bead("Merged earlier"), idle = try p.bead("Never committed")
      #expect(try await p.awaited("apply", "--yes").status == 0)
      try p.commit("early.txt", "early\n", in: p.worktree(merged))
      _ = try p.git("merge", "-q", "--ff-only", "wt/\(merged)")
      let done = try await p.awaited("done", merged)
      #expect(done.status == 0, "\(done.stderr)")
      #expect(done.stdout.contains("main already has the work of wt/\(merged)"))
      #expect(try p.show(merged)["close_reason"] as? String == "Done: wt/\(merged) is in main")
      let refused = try await p.awaited("done", idle)
      #expect(refused.status == 1)
      #expect(refused.stderr.contains("has no commits beyond main"))
    }

    /// Commits on a detached HEAD or on another branch are named and
    /// refused; the bead stays open and the commits stay where they are.
    @Test func commitsOffTheWorkersBranchAreRefused() async throws {
      let p = try Playground()
      let id = try p.handWorker("Detached")
      try p.commit("on-branch.txt", "1\n", in: p.worktree(id))
      _ = try p.git("switch", "-q", "--detach", in: p.worktree(id))
      try p.commit("detached.txt", "2\n", in: p.worktree(id), message: "made while detached")
      let detached = try p.git("rev-parse", "HEAD", in: p.worktree(id)).trimmingCharacters(in: .whitespacesAndNewlines)
      let head = try p.git("rev-parse", "main")
      let done = try await p.awaited("done", id)
      #expect(done.status == 1)
      #expect(done.stderr.contains("is on a detached HEAD (\(detached.prefix(10))) with 1 commit not on wt/\(id): \(detached.prefix(7))"))
      #expect(done.stderr.contains("made while detached"))
      #expect(try p.git("rev-parse", "main") == head)
      #expect(try p.show(id)["status"] as? String == "open")

      _ = try p.git("switch", "-q", "-c", "elsewhere", in: p.worktree(id))
      let other = try await p.awaited("done", id)
      #expect(other.status == 1)
      #expect(other.stderr.contains("is on branch 'elsewhere' with 1 commit not on wt/\(id)"))
      #expect(try p.git("rev-parse", "main") == head)
    }

    /// Teardown and `abandon --delete` keep a worktree whose commits live
    /// only on a detached HEAD or in its reflog, and say so.
    @Test func commitsOnNoBranchKeepTheWorktree() async throws {
      let p = try Playground()
      let id = try p.bead("Orphans")
      #expect(try await p.awaited("apply", "--yes").status == 0)
      _ = try p.git("switch", "-q", "--detach", in: p.worktree(id))
      try p.commit("lost.txt", "would be lost\n", in: p.worktree(id))
      _ = try p.git("switch", "-q", "wt/\(id)", in: p.worktree(id))
      let refused = try await p.awaited("abandon", id, "--delete")
      #expect(refused.status == 1)
      #expect(refused.stderr.contains("1 commit on no branch (detached HEAD or reflog)"))
      _ = try p.sh([p.env["WT_BD"]!, "close", id])
      let apply = try await p.awaited("apply", "--yes")
      #expect(apply.stdout.contains("kept \(p.worktree(id)): 1 commit on no branch (detached HEAD or reflog)"), "\(apply.stdout)")
      #expect(p.exists(p.worktree(id)))
    }

    /// An edited `.env` (from copy:) keeps the worktree; an untouched copy
    /// and declared disposable output do not.
    @Test func editedCopiesKeepTheWorktreeAndDisposableOutputDoesNot() async throws {
      let p = try Playground(workers: 2)
      try p.editManifest { $0.replacingOccurrences(of: "    gate: []", with: "    gate: []\n    copy: [.env]\n    disposable: [node_modules/]") }
      try ".beads/\n.env\nnode_modules/\n".write(toFile: "\(p.repo)/.gitignore", atomically: true, encoding: .utf8)
      _ = try p.git("commit", "-qam", "ignore")
      try "TOKEN=original\n".write(toFile: "\(p.repo)/.env", atomically: true, encoding: .utf8)
      let edited = try p.bead("Edited"), untouched = try p.bead("Untouched")
      #expect(try await p.awaited("apply", "--yes").status == 0)
      try "TOKEN=the person's new one\n".write(toFile: "\(p.worktree(edited))/.env", atomically: true, encoding: .utf8)
      for id in [edited, untouched] {
        try FileManager.default.createDirectory(atPath: "\(p.worktree(id))/node_modules/x", withIntermediateDirectories: true)
        try "built\n".write(toFile: "\(p.worktree(id))/node_modules/x/index.js", atomically: true, encoding: .utf8)
      }
      _ = try p.sh([p.env["WT_BD"]!, "close", edited, untouched])
      let apply = try await p.awaited("apply", "--yes")
      #expect(apply.stdout.contains("kept \(p.worktree(edited)): ignored files that may be work: .env"), "\(apply.stdout)")
      #expect(p.read("\(p.worktree(edited))/.env") == Data("TOKEN=the person's new one\n".utf8))
      #expect(apply.stdout.contains("removed \(p.worktree(untouched))"))
      #expect(!p.exists(p.worktree(untouched)))
    }

    /// A `wt/<bead>` branch that holds the person's own work is never the
    /// worker's: the worker gets wt/<bead>-2, a note says why, and the
    /// person's branch is neither moved nor merged.
    @Test func aForeignBranchIsNeverReused() async throws {
      let p = try Playground()
      let id = try p.bead("Taken")
      _ = try p.git("branch", "wt/\(id)")
      _ = try p.git("worktree", "add", "-q", "\(p.dir)/mine", "wt/\(id)")
      try p.commit("mine.txt", "the person's\n", in: "\(p.dir)/mine")
      _ = try p.git("worktree", "remove", "\(p.dir)/mine")
      let theirs = try p.git("rev-parse", "wt/\(id)")
      let apply = try await p.awaited("apply", "--yes")
      #expect(apply.status == 0, "\(apply.stderr)")
      #expect(apply.stdout.contains("note: branch wt/\(id) exists and wt has no record of making it, so it is left alone; this worker uses wt/\(id)-2"), "\(apply.stdout)")
      #expect(try p.git("rev-parse", "--abbrev-ref", "HEAD", in: p.worktree(id)) == "wt/\(id)-2\n")
      try p.commit("work.txt", "worker\n", in: p.worktree(id))
      let done = try await p.awaited("done", id)
      #expect(done.status == 0, "\(done.stderr)")
      #expect(done.stdout.contains("merged wt/\(id)-2 into main"))
      #expect(try p.git("rev-parse", "wt/\(id)") == theirs)
      #expect(p.exists("\(p.repo)/work.txt") && !p.exists("\(p.repo)/mine.txt"))
    }
  }
}
