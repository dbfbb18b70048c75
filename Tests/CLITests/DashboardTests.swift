import Foundation
import Testing

/// The glance tells the truth: rows mirror the world, a call for help
/// sticks, notify fires once per transition, the hub reloads and lives.
extension EndToEnd {
  @Suite(.timeLimit(.minutes(5))) struct DashboardTests {
    func rows(_ p: Playground) throws -> [[String: Any]] {
      try p.rows("status", "--json")
    }

    @Test func aStartThatFailedLeavesNoRow() throws {
      let p = try Playground(agentCommand: "/bin/false")
      let id = try p.bead("Never starts")
      let apply = try p.wt("apply", "--yes")
      #expect(apply.status == 1)
      let status = try p.wt("status").stdout
      #expect(try rows(p).isEmpty, "\(status)")
      #expect(try p.wt("status", "--attention").stdout.isEmpty)
      #expect(try p.show(id)["status"] as? String == "open")
    }

    /// bd no longer lists a closed bead; the row of its finished worker
    /// still says what it was (on a host, the hub shows the host's rows).
    @Test func aFinishedWorkerKeepsItsTitle() throws {
      let p = try Playground(onDone: "keep")
      let id = try p.bead("Kept for review")
      #expect(try p.wt("apply", "--yes").status == 0)
      try "x\n".write(toFile: "\(p.worktree(id))/x.txt", atomically: true, encoding: .utf8)
      try p.sh(["git", "add", "x.txt"], in: p.worktree(id))
      try p.sh(["git", "commit", "-qm", "x"], in: p.worktree(id))
      let done = try p.wt("done", id)
      #expect(done.status == 0, "\(done.stderr)")
      #expect(try p.show(id)["status"] as? String == "closed")
      let row = try #require(try rows(p).first { $0["bead"] as? String == id })
      #expect(row["status"] as? String == "kept")
      #expect(row["title"] as? String == "Kept for review")
      #expect(try p.wt("watch", "--once").stdout.contains("Kept for review"))
    }

    @Test func aProjectRemovedFromTheManifestIsOrphanedUntilForgotten() throws {
      let p = try Playground()
      let id = try p.bead("Orphan")
      #expect(try p.wt("apply", "--yes").status == 0)
      let manifest = "\(p.dir)/wt.yaml"
      try String(contentsOfFile: manifest, encoding: .utf8).replacingOccurrences(of: "  demo:\n", with: "  renamed:\n")
        .write(toFile: manifest, atomically: true, encoding: .utf8)
      let orphan = try #require(try rows(p).first { $0["name"] as? String == "demo/\(id)" })
      #expect(orphan["status"] as? String == "orphaned")
      #expect((orphan["message"] as? String)?.contains("wt forget demo/\(id)") == true)
      let watch = try p.wt("watch", "--once")
      #expect(watch.stdout.contains("1 orphaned"), "\(watch.stdout)")
      // Still running: forget refuses and says what to do.
      let refused = try p.wt("forget", "demo/\(id)")
      #expect(refused.status == 1 && refused.stderr.contains("still runs"))
      let session = try p.sh(["tmux", "-L", p.socket, "list-sessions", "-F", "#{session_name}"]).stdout
        .trimmingCharacters(in: .whitespacesAndNewlines)
      try p.sh(["tmux", "-L", p.socket, "kill-session", "-t", "=\(session)"])
      let forget = try p.wt("forget", "demo/\(id)")
      #expect(forget.status == 0, "\(forget.stderr)")
      #expect(forget.stdout.contains("its worktree \(p.dir)/worktrees/demo/\(id) stays"))
      #expect(try rows(p).isEmpty)
      #expect(p.exists(p.worktree(id)))
    }

    /// needs-input, limited, dead, stuck and done: each told once, with its
    /// message, whoever caused it.
    @Test func notifyFiresOncePerTransitionWithTheMessage() throws {
      let p = try Playground(workers: 2)
      let log = "\(p.dir)/notified"
      let manifest = "\(p.dir)/wt.yaml"
      try String(contentsOfFile: manifest, encoding: .utf8).replacingOccurrences(
        of: "settings:\n",
        with: "settings:\n  notify: [\(CLITests.root)/Tests/Support/record-args, \(log), \"{{worker.name}}\", \"{{worker.status}}\", \"{{worker.message}}\"]\n"
      ).write(toFile: manifest, atomically: true, encoding: .utf8)
      let a = try p.bead("Ask", priority: 1)
      let b = try p.bead("Crash", priority: 2)
      #expect(try p.wt("apply", "--yes").status == 0)
      func lines() -> [String] {
        ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
      }
      // Nothing more to tell: one more pass of the watch (which tells what
      // it has not yet marked as told), then every notifier wt started has
      // ended, so every line there will be is written.
      func nothingMoreToTell() throws -> Bool {
        _ = try p.wt("watch", "--once")
        return try p.notifiersEnded(writing: log)
      }
      // Raised by the agent; the Stop and the idle notification after it
      // neither erase it nor tell again.
      #expect(try p.wt("signal", "--worker", "demo/\(a)", "needs-input", "EUR or USD?").status == 0)
      _ = try p.wt("signal", "--worker", "demo/\(a)", "stop")
      _ = try p.wt("signal", "--worker", "demo/\(a)", "notification", stdin: #"{"message": "Claude is waiting for your input"}"#)
      #expect(try p.wait(seconds: 5) { lines().count == 1 })
      #expect(lines() == ["demo/\(a)|needs-input|EUR or USD?"])
      #expect(try rows(p).first { $0["bead"] as? String == a }?["message"] as? String == "EUR or USD?")
      #expect(try p.wt("status", "--attention").stdout == "wt: 1 needs you\n")

      // A turn that ended on an API error.
      let transcript = "\(p.dir)/t.jsonl"
      try #"{"type":"assistant","message":{"model":"<synthetic>","content":[{"type":"text","text":"API Error: Request rejected (429) · rate limited"}]},"error":"rate_limit","isApiErrorMessage":true,"apiErrorStatus":429,"apiErrorType":"rate_limit_error"}"#.write(toFile: transcript, atomically: true, encoding: .utf8)
      _ = try p.wt("signal", "--worker", "demo/\(a)", "prompt-submitted")
      _ = try p.wt("signal", "--worker", "demo/\(a)", "stop", stdin: "{\"transcript_path\": \"\(transcript)\"}")
      #expect(try p.wait(seconds: 5) { lines().count == 2 })
      #expect(lines().last == "demo/\(a)|limited|rate limited, no reset time given: API Error: Request rejected (429) · rate limited")

      // Dead, as the watch sees it: told once however often it looks.
      let pid = try p.sh(["tmux", "-L", p.socket, "list-panes", "-t", "=wt-demo__\(b):", "-F", "#{pane_pid}"]).stdout
      kill(try #require(Int32(pid.trimmingCharacters(in: .whitespacesAndNewlines))), SIGKILL)
      #expect(try p.wait(seconds: 10) {
        try p.sh(["tmux", "-L", p.socket, "list-panes", "-t", "=wt-demo__\(b):", "-F", "#{pane_dead}"]).stdout.hasPrefix("1")
      })
      _ = try p.wt("watch", "--once")
      _ = try p.wt("watch", "--once")
      #expect(try p.wait(seconds: 5) { lines().count == 3 })
      #expect(lines().last == "demo/\(b)|dead|the agent exited; 'wt apply' restarts it")

      // Stuck, when its restart budget is spent (as three crashes leave it).
      let stateFile = "\(p.dir)/state/state.json"
      var state = try #require(p.json(try String(contentsOfFile: stateFile, encoding: .utf8)) as? [String: Any])
      var workers = try #require(state["workers"] as? [String: Any])
      var record = try #require(workers["demo/\(b)"] as? [String: Any])
      record["restarts"] = 3
      workers["demo/\(b)"] = record
      state["workers"] = workers
      try JSONSerialization.data(withJSONObject: state).write(to: URL(fileURLWithPath: stateFile))
      _ = try p.wt("watch", "--once")
      #expect(try p.wait(seconds: 5) { lines().count == 4 })
      #expect(lines().last?.hasPrefix("demo/\(b)|stuck|the agent exited 3 times") == true)

      // Done, by wt itself.
      try "x\n".write(toFile: "\(p.worktree(a))/x.txt", atomically: true, encoding: .utf8)
      try p.sh(["git", "add", "x.txt"], in: p.worktree(a))
      try p.sh(["git", "commit", "-qm", "x"], in: p.worktree(a))
      #expect(try p.wt("done", a).status == 0)
      #expect(try p.wait(seconds: 5) { lines().count == 5 })
      #expect(lines().last?.hasPrefix("demo/\(a)|done|Done: merged") == true)
      #expect(try nothingMoreToTell())
      #expect(lines().count == 5, "\(lines())")
    }

    @Test func theHubReloadsItsManifestSurvivesQAndComesBackWhenItsDashboardDied() throws {
      let p = try Playground()
      #expect(try p.wt("hub", "--no-attach").status == 0)
      func hubScreen() throws -> String {
        try p.sh(["tmux", "-L", p.socket, "capture-pane", "-p", "-t", "=wt-hub:"]).stdout
      }
      func hubDead() throws -> Bool {
        try p.sh(["tmux", "-L", p.socket, "list-panes", "-t", "=wt-hub:", "-F", "#{pane_dead}"]).stdout.hasPrefix("1")
      }
      #expect(try p.wait(seconds: 10) { try hubScreen().contains("wt watch") })

      // A project added while the hub runs shows up in it.
      let other = "\(p.dir)/other"
      try FileManager.default.createDirectory(atPath: other, withIntermediateDirectories: true)
      try p.sh(["git", "init", "-q", "-b", "main"], in: other)
      try p.sh(["git", "commit", "-q", "--allow-empty", "-m", "init"], in: other)
      try p.sh([p.env["WT_BD"]!, "init", "-p", "other", "-q"], in: other)
      try p.sh([p.env["WT_BD"]!, "create", "Added later", "--silent"], in: other)
      // New projects run the scripted agent, one worker each.
      try String(contentsOfFile: "\(p.dir)/wt.yaml", encoding: .utf8)
        .replacingOccurrences(of: "settings:\n", with: "defaults:\n  agent: fake\n  workers: 1\nsettings:\n")
        .write(toFile: "\(p.dir)/wt.yaml", atomically: true, encoding: .utf8)
      #expect(try p.wt("project", "add", other).status == 0)
      let apply = try p.wt("apply", "--yes")
      #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
      let shown = try p.wait(seconds: 15) { try hubScreen().contains("Added later") }
      let screen = try hubScreen()
      #expect(shown, "\(screen)")

      // q leaves the hub running.
      try p.sh(["tmux", "-L", p.socket, "send-keys", "-t", "=wt-hub:", "q"])
      Thread.sleep(forTimeInterval: 1.5)
      #expect(try !hubDead())

      // A dashboard that died is started again, not switched to.
      let pid = try p.sh(["tmux", "-L", p.socket, "list-panes", "-t", "=wt-hub:", "-F", "#{pane_pid}"]).stdout
      kill(try #require(Int32(pid.trimmingCharacters(in: .whitespacesAndNewlines))), SIGKILL)
      #expect(try p.wait(seconds: 10) { try hubDead() })
      let again = try p.wt("hub", "--no-attach")
      #expect(again.stdout.contains("restarted the hub"), "\(again.stdout)\(again.stderr)")
      #expect(try p.wait(seconds: 10) { try !hubDead() && hubScreen().contains("wt watch") })
    }
  }
}
