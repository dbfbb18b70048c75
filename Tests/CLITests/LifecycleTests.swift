import Foundation
import Testing

/// A day of work through the binary: ready, apply, the agent finishing its
/// own bead with `wt done`, the next bead starting, and the refusals.
extension EndToEnd {
  @Suite(.timeLimit(.minutes(5))) struct LifecycleTests {
    @Test func theAgentFinishesItsBeadAndTheNextOneStarts() throws {
      let p = try Playground()
      let steps = [
        Playground.run("touch", "work.txt"), Playground.run("git", "add", "work.txt"),
        Playground.run("git", "commit", "-qm", "work done"), Playground.run(CLITests.binary, "done"),
      ].joined(separator: "\n")
      let first = try p.bead("First", description: steps, priority: 1)
      let second = try p.bead("Second", description: "think about it", priority: 2)

      let ready = try p.wt("ready", "--json")
      let rows = p.rows(ready.stdout)
      #expect(rows.map { $0["bead"] as? String } == [first, second])
      #expect(rows.map { $0["starts"] as? Bool } == [true, false])
      #expect(rows.map { $0["needs_grooming"] as? Bool } == [false, false])

      let apply = try p.wt("apply", "--yes")
      #expect(apply.status == 0, "\(apply.stdout) \(apply.stderr)")
      // The agent commits and runs `wt done` in its own session.
      #expect(try p.wait { (try p.show(first)["status"] as? String) == "closed" })
      #expect(try p.wait { !p.exists(p.worktree(first)) })
      #expect(try p.git("log", "--format=%s", "main").contains("work done"))
      #expect(p.exists("\(p.repo)/work.txt"))
      #expect(try p.show(first)["close_reason"] as? String == "Done: merged wt/\(first) into main by wt")

      let next = try p.wt("apply", "--yes")
      #expect(next.stdout.contains("+ create demo/\(second)"))
      let status = try p.wt("status", "--json")
      let workers = p.rows(status.stdout)
      #expect(workers.map { $0["bead"] as? String } == [second])

      let seance = try p.wt("seance", first, "--json")
      let sessions = p.rows(seance.stdout)
      #expect(sessions.count == 1)
      #expect(sessions.first?["end"] as? String == "done")
    }

    @Test func doneRefusesUncommittedWorkAndChangesNothing() throws {
      let p = try Playground()
      let id = try p.bead("Dirty")
      #expect(try p.wt("apply", "--yes").status == 0)
      try "draft\n".write(toFile: "\(p.worktree(id))/draft.txt", atomically: true, encoding: .utf8)
      let head = try p.git("rev-parse", "main")
      let done = try p.wt("done", id)
      #expect(done.status == 1)
      #expect(done.stderr.contains("has 1 uncommitted file; commit or remove them"))
      #expect(try p.git("rev-parse", "main") == head)
      #expect(try p.show(id)["status"] as? String == "in_progress")
      #expect(p.exists("\(p.worktree(id))/draft.txt"))
    }

    @Test func abandonReleasesAndKeepsAndDeleteRefusesWork() throws {
      let p = try Playground()
      let id = try p.bead("Abandoned")
      #expect(try p.wt("apply", "--yes").status == 0)
      try "mine\n".write(toFile: "\(p.worktree(id))/mine.txt", atomically: true, encoding: .utf8)
      let refused = try p.wt("abandon", id, "--delete")
      #expect(refused.status == 1)
      #expect(refused.stderr.contains("refusing to delete \(p.worktree(id)): 1 uncommitted file"))
      #expect(try p.show(id)["status"] as? String == "in_progress")
      let abandon = try p.wt("abandon", id)
      #expect(abandon.status == 0, "\(abandon.stderr)")
      let bead = try p.show(id)
      #expect(bead["status"] as? String == "open")
      #expect(bead["assignee"] == nil)
      #expect(p.exists("\(p.worktree(id))/mine.txt"))
      try FileManager.default.removeItem(atPath: "\(p.worktree(id))/mine.txt")
      #expect(try p.wt("abandon", id, "--delete").status == 0)
      #expect(!p.exists(p.worktree(id)))
    }

    @Test func newStartsOneBeadAndRefusesTwiceUnknownAndClosed() throws {
      let p = try Playground(workers: 0)
      let id = try p.bead("Outside")
      let full = try p.wt("new", id)
      #expect(full.status == 1)
      #expect(full.stderr.contains("already runs its 0 workers; wait, or use --force"))
      #expect(try p.wt("new", id, "--force").status == 0)
      let again = try p.wt("new", id, "--force")
      #expect(again.status == 1)
      #expect(again.stderr.contains("already has a worker"))
      #expect(try p.wt("new", "demo-zzzz").stderr.contains("no bead 'demo-zzzz'"))
      // Text no bd makes never names anything: a usage error, nothing looked up.
      let bad = try p.wt("new", "nope")
      #expect(bad.status == 64 && bad.stderr.contains("'nope' is invalid for '<bead>'"))
      #expect(try p.wt("new", "--", "-rf").status == 64)
      let closed = try p.bead("Closed")
      _ = try p.sh([p.env["WT_BD"]!, "close", closed])
      #expect(try p.wt("new", closed, "--force").stderr.contains("is closed"))
    }

    @Test func signalsHandoffAndPrime() throws {
      let p = try Playground()
      let id = try p.bead("Signals", description: "the details")
      #expect(try p.wt("apply", "--yes").status == 0)
      #expect(try p.wt("signal", "needs-input", "which database?", in: p.worktree(id)).status == 0)
      var rows = try p.rows("status", "--json")
      #expect(rows.first?["status"] as? String == "needs-input")
      #expect(rows.first?["message"] as? String == "which database?")
      let hook = #"{"session_id": "abc", "hook_event_name": "Notification", "message": "Claude needs your permission"}"#
      #expect(try p.wt("signal", "notification", "--worker", "demo/\(id)", stdin: hook).status == 0)
      rows = try p.rows("status", "--json")
      #expect(rows.first?["message"] as? String == "Claude needs your permission")
      #expect(try p.wt("signal", "bogus", "--worker", "demo/\(id)").status == 64)

      #expect(try p.wt("handoff", "-m", "tried sqlite, too slow", in: p.worktree(id)).status == 0)
      let prime = try p.wt("prime", in: p.worktree(id))
      #expect(prime.stdout.hasPrefix("# Bead \(id): Signals"))
      #expect(prime.stdout.contains("the details"))
      #expect(prime.stdout.contains("tried sqlite, too slow"))
    }

    @Test func projectListAndAdd() throws {
      let p = try Playground()
      _ = try p.bead("One")
      let list = try p.rows("project", "list", "--json")
      #expect(list.first?["name"] as? String == "demo")
      #expect(list.first?["ready"] as? Int == 1)
      let other = "\(p.dir)/other"
      try FileManager.default.createDirectory(atPath: other, withIntermediateDirectories: true)
      try p.sh(["git", "init", "-q", "-b", "main"], in: other)
      try p.sh(["git", "commit", "-q", "--allow-empty", "-m", "init"], in: other)
      let before = try String(contentsOfFile: "\(p.dir)/wt.yaml", encoding: .utf8)
      #expect(try p.wt("project", "add", other).status == 0)
      let after = try String(contentsOfFile: "\(p.dir)/wt.yaml", encoding: .utf8)
      #expect(after.hasPrefix(before.trimmingCharacters(in: .newlines)))
      #expect(try p.wt("validate").stdout.contains("2 projects (demo, other)"))
      #expect(try p.wt("project", "add", other).status == 1)
    }
  }

  @Suite(.timeLimit(.minutes(5))) struct WatchTests {
    @Test func autoWorksThroughTheBacklogAndCtrlCExits130() throws {
      let p = try Playground()
      func steps(_ file: String) -> String {
        [
          Playground.run("touch", file), Playground.run("git", "add", file),
          Playground.run("git", "commit", "-qm", "add \(file)"), Playground.run(CLITests.binary, "done"),
        ].joined(separator: "\n")
      }
      let a = try p.bead("First", description: steps("a.txt"), priority: 1)
      let b = try p.bead("Second", description: steps("b.txt"), priority: 2)
      let auto = try p.background("auto", "--interval", "1")
      defer { if auto.isRunning { auto.terminate() } }
      #expect(try p.wait(seconds: 60) { (try p.show(b)["status"] as? String) == "closed" })
      #expect(try p.show(a)["status"] as? String == "closed")
      #expect(p.exists("\(p.repo)/a.txt") && p.exists("\(p.repo)/b.txt"))
      kill(auto.processIdentifier, SIGINT)
      auto.waitUntilExit()
      #expect(auto.terminationStatus == 130)
    }
  }

  @Suite(.timeLimit(.minutes(5))) struct OverlapTests {
    @Test func twoWorkersChangingOneFileAreWarnedAbout() throws {
      let p = try Playground(workers: 3)
      let a = try p.bead("A"), b = try p.bead("B"), c = try p.bead("C")
      #expect(try p.wt("apply", "--yes").status == 0)
      try "a\n".write(toFile: "\(p.worktree(a))/README.md", atomically: true, encoding: .utf8)
      try "b\n".write(toFile: "\(p.worktree(b))/README.md", atomically: true, encoding: .utf8)
      _ = try p.git("commit", "-qam", "b", in: p.worktree(b))
      try "c\n".write(toFile: "\(p.worktree(c))/other.txt", atomically: true, encoding: .utf8)
      let rows = try p.rows("status", "--json")
      let shares = Dictionary(uniqueKeysWithValues: rows.map { ($0["bead"] as! String, $0["shares_files_with"] as? [String] ?? []) })
      #expect(shares[a] == ["demo/\(b)"])
      #expect(shares[b] == ["demo/\(a)"])
      #expect(shares[c] == [])
      let text = try p.wt("status").stdout
      #expect(text.contains("changed the same files; the second to merge will conflict"))
    }
  }

  @Suite(.timeLimit(.minutes(5))) struct PullRequestTests {
    /// on_done: pr pushes the branch and opens a pull request with the
    /// bead's title and description (gh is a stand-in on PATH); the bead
    /// stays wt's and the worktree stays until the pull request is merged
    /// (PullRequestLoopTests follows it there).
    @Test func donePushesAndOpensAPullRequest() throws {
      let p = try Playground(onDone: "pr")
      let remote = "\(p.dir)/remote.git"
      _ = try p.sh(["git", "init", "-q", "--bare", remote])
      _ = try p.git("remote", "add", "origin", remote)
      let bin = "\(p.dir)/bin"
      try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
      try FileManager.default.copyItem(atPath: "\(CLITests.root)/Tests/Support/gh", toPath: "\(bin)/gh")
      p.env["PATH"] = "\(bin):" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
      p.env["FAKE_GH_LOG"] = "\(p.dir)/gh.log"
      let id = try p.bead("Open a PR", description: "Body text; $(not run)")
      #expect(try p.wt("apply", "--yes").status == 0)
      try "x\n".write(toFile: "\(p.worktree(id))/x.txt", atomically: true, encoding: .utf8)
      _ = try p.git("add", "x.txt", in: p.worktree(id))
      _ = try p.git("commit", "-qm", "x", in: p.worktree(id))
      let done = try p.wt("done", id)
      #expect(done.status == 0, "\(done.stderr)")
      #expect(done.stdout.contains("opened https://github.invalid/demo/repo/pull/7"))
      #expect(try p.sh(["git", "-C", remote, "rev-parse", "--verify", "wt/\(id)"]).status == 0)
      let args = try String(contentsOfFile: "\(p.dir)/gh.log", encoding: .utf8)
      #expect(args.contains(#""--title=Open a PR""#) && args.contains(#""--body=Body text; $(not run)""#))
      #expect(try p.show(id)["status"] as? String == "in_progress")
      #expect(p.exists("\(p.worktree(id))/x.txt"))
      #expect(try p.git("log", "--format=%s", "main").contains("x") == false)
      let rows = try p.rows("status", "--json")
      #expect(rows.first?["status"] as? String == "idle")
      #expect((rows.first?["message"] as? String)?.hasPrefix("pull request #7 open") == true)
      #expect((rows.first?["pr"] as? [String: Any])?["url"] as? String == "https://github.invalid/demo/repo/pull/7")
    }
  }

  @Suite(.timeLimit(.minutes(5))) struct StatusTextTests {
    @Test func statusListsWaitingBeadsWithTheReason() throws {
      let p = try Playground()
      _ = try p.bead("Runs", priority: 1)
      let waits = try p.bead("Waits", priority: 2)
      #expect(try p.wt("apply", "--yes").status == 0)
      let text = try p.wt("status").stdout
      #expect(text.contains("Waiting:\n  demo/\(waits)  P2  \"Waits\": no free slot: project 'demo' runs its 1 worker"))
    }
  }
}
