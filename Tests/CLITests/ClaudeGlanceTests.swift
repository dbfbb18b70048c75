import Foundation
import Testing
import TestSupport

extension EndToEnd {
  /// The glance in the minutes after a person acts, on the real Claude
  /// Code: a permission the person grants in the pane, and a worker left
  /// idle past Claude Code's idle notification.
  @Suite(.tags(.realAgent), .timeLimit(.minutes(5))) struct ClaudeGlanceTests {
    func row(_ p: Playground, _ name: String) throws -> [String: Any]? {
      (try p.rows("status", "--json")).first { $0["name"] as? String == name }
    }

    /// Claude asks to run a command; the worker needs a person while the
    /// question is on the screen (also when the screen is read); the
    /// person grants it in the pane; the agent runs it, commits and ends
    /// its turn: the worker is idle and nobody is needed.
    @Test func aPermissionGrantedInThePaneLeavesNeedsInput() throws {
      let rig = try ClaudeRig(allowBash: false)
      let p = rig.playground
      let id = try p.bead("Needs a grant", description: "RUN: touch g.txt && git add g.txt && git commit -qm granted")
      #expect(try p.wt("apply", "--yes").status == 0)
      let name = "demo/\(id)"
      func mine() -> [[String: String]] { rig.events().filter { $0["worker"] == name && $0["event"] == "signal" } }
      #expect(try p.wait(seconds: 90) { mine().contains { $0["by"] == "notification" && $0["status"] == "needs-input" } }, "\(mine())")
      // The question stands past the moment the screen may overrule it;
      // the screen still asks, so it still needs a person.
      #expect(try p.wait(seconds: 30) { (try row(p, name)?["status_age"] as? Int ?? 0) >= 7 })
      let pane = try p.sh(["tmux", "-L", p.socket, "list-panes", "-a", "-F", "#{pane_id}"]).stdout
        .trimmingCharacters(in: .whitespacesAndNewlines)
      let screen = try p.sh(["tmux", "-L", p.socket, "capture-pane", "-p", "-t", pane]).stdout
      if let keep = ProcessInfo.processInfo.environment["WT_TEST_KEEP_SCREEN"] {
        try screen.write(toFile: keep, atomically: true, encoding: .utf8)
      }
      _ = try p.wt("watch", "--once")
      let asking = try #require(try row(p, name))
      #expect(asking["status"] as? String == "needs-input", "\(asking)\n\(screen)")
      #expect((asking["message"] as? String)?.contains("permission") == true, "\(asking)")
      #expect(try p.wt("status", "--attention").stdout == "wt: 1 needs you\n", "\(screen)")

      // The person grants it: the first choice is selected.
      try p.sh(["tmux", "-L", p.socket, "send-keys", "-t", pane, "Enter"])
      #expect(try p.wait(seconds: 60) { (try? p.git("log", "--format=%s", "-1", in: p.worktree(id))) == "granted\n" })
      #expect(try p.wait(seconds: 60) { mine().last?["by"] == "stop" }, "\(mine())")
      let after = try #require(try row(p, name))
      #expect(after["status"] as? String == "idle", "\(after)\n\(mine())")
      #expect(try p.wt("status", "--attention").stdout == "")
      #expect(mine().contains { $0["by"] == "tool-used" && $0["status"] == "working" }, "\(mine())")
    }

    /// The person says no (Esc) in the pane: no hook reports it, but the
    /// screen shows the input box again, and the worker leaves
    /// needs-input, in `wt status` and, once `wt watch` looked, in the
    /// status line's count.
    @Test func aPermissionRefusedInThePaneLeavesNeedsInputByTheScreen() throws {
      let rig = try ClaudeRig(allowBash: false)
      let p = rig.playground
      let id = try p.bead("Refused", description: "RUN: touch r.txt && git add r.txt && git commit -qm refused")
      #expect(try p.wt("apply", "--yes").status == 0)
      let name = "demo/\(id)"
      func mine() -> [[String: String]] { rig.events().filter { $0["worker"] == name && $0["event"] == "signal" } }
      #expect(try p.wait(seconds: 90) { mine().contains { $0["by"] == "notification" && $0["status"] == "needs-input" } }, "\(mine())")
      let pane = try p.sh(["tmux", "-L", p.socket, "list-panes", "-a", "-F", "#{pane_id}"]).stdout
        .trimmingCharacters(in: .whitespacesAndNewlines)
      try p.sh(["tmux", "-L", p.socket, "send-keys", "-t", pane, "Escape"])
      #expect(try p.wait(seconds: 30) { try row(p, name)?["status"] as? String == "idle" }, "\(mine())")
      _ = try p.wt("watch", "--once")
      #expect(try p.wt("status", "--attention").stdout == "", "\(mine())")
      // Recorded from the screen: Claude Code reports a refusal to no hook.
      #expect(mine().last?["status"] == "idle" && mine().last?["by"] == "screen", "\(mine())")
      #expect(try p.git("log", "--format=%s", "-1", in: p.worktree(id)) != "refused\n")
    }

    /// Claude asks, its process is killed, and `wt apply` resumes it: the
    /// new session asks nothing, and neither does the worker.
    @Test func aResumedClaudeDoesNotInheritTheQuestionOfTheKilledOne() throws {
      let rig = try ClaudeRig(allowBash: false)
      let p = rig.playground
      let id = try p.bead("Killed while asking", description: "RUN: touch k.txt && git add k.txt && git commit -qm killed")
      #expect(try p.wt("apply", "--yes").status == 0)
      let name = "demo/\(id)"
      func mine() -> [[String: String]] { rig.events().filter { $0["worker"] == name && $0["event"] == "signal" } }
      #expect(try p.wait(seconds: 90) { mine().contains { $0["by"] == "notification" && $0["status"] == "needs-input" } }, "\(mine())")
      let pid = try #require(Int32(try p.sh(["tmux", "-L", p.socket, "list-panes", "-a", "-F", "#{pane_pid}"]).stdout
        .trimmingCharacters(in: .whitespacesAndNewlines)))
      kill(pid, SIGKILL)
      #expect(try p.wait(seconds: 10) {
        try p.sh(["tmux", "-L", p.socket, "list-panes", "-a", "-F", "#{pane_dead}"]).stdout.hasPrefix("1")
      })
      let starts = mine().filter { $0["by"] == "session-start" }.count
      let apply = try p.wt("apply", "--yes")
      #expect(apply.stdout.contains("resumed session"), "\(apply.stdout)\(apply.stderr)")
      #expect(try p.wait(seconds: 60) { mine().filter { $0["by"] == "session-start" }.count > starts }, "\(mine())")
      let after = try #require(try row(p, name))
      #expect(after["status"] as? String != "needs-input", "\(after)\n\(mine())")
      #expect(try p.wt("status", "--attention").stdout == "")
    }

    /// A turn that ends on an API error (the retries spent): Claude Code
    /// fires StopFailure, not Stop, and the worker is limited, not left
    /// working.
    @Test func aTurnThatFailsOnTheAPIIsLimited() throws {
      let rig = try ClaudeRig(apiFailures: 50, maxRetries: 1)
      let p = rig.playground
      let id = try p.bead("Overloaded", description: "No commands; just answer.")
      #expect(try p.wt("apply", "--yes").status == 0)
      let name = "demo/\(id)"
      func mine() -> [[String: String]] { rig.events().filter { $0["worker"] == name && $0["event"] == "signal" } }
      // A 529: overloaded, this worker backs off (docs/limits.md).
      #expect(try p.wait(seconds: 90) { mine().contains { $0["by"] == "limit-overloaded" } }, "\(mine())")
      let status = try #require(try row(p, name))
      #expect(status["status"] as? String == "limited", "\(status)")
      #expect((status["message"] as? String)?.hasPrefix("the API is overloaded: ") == true, "\(status)")
      #expect(status["until"] is String, "\(status)")
      // The clock resumes it: shown with its time, calling nobody; held,
      // only a person moves it on.
      #expect(try p.wt("status", "--attention").stdout == "")
      #expect(try p.wt("hold", name).status == 0)
      #expect(try p.wt("status", "--attention").stdout == "wt: 1 needs you\n")
    }

    /// Claude Code sends "Claude is waiting for your input" (idle_prompt)
    /// about 60 s after a turn ends: the worker stays idle, counted by
    /// nobody. Slow: it waits for that notification.
    @Test func anIdleClaudeStaysIdleAfterItsIdleNotification() throws {
      let rig = try ClaudeRig()
      let p = rig.playground
      let id = try p.bead("Think", description: "No commands; just answer.")
      #expect(try p.wt("apply", "--yes").status == 0)
      let name = "demo/\(id)"
      func mine() -> [[String: String]] { rig.events().filter { $0["worker"] == name && $0["event"] == "signal" } }
      #expect(try p.wait(seconds: 60) { mine().contains { $0["by"] == "stop" } }, "\(mine())")
      #expect(try p.wait(seconds: 150) { mine().contains { $0["by"] == "notification" } }, "\(mine())")
      #expect(mine().last?["status"] == "idle", "\(mine())")
      let status = try #require(try row(p, name))
      #expect(status["status"] as? String == "idle", "\(status)")
      #expect((status["status_age"] as? Int ?? 0) >= 55, "\(status)")
      #expect(try p.wt("status", "--attention").stdout == "")
      #expect(!(try p.wt("watch", "--once").stdout.contains("1 needs you")))
    }
  }
}
