import Foundation
import Testing

extension EndToEnd {
  /// The pull-request loop on the real Claude Code, unattended (`wt
  /// auto`): the scripted model opens a pull request whose CI fails; the
  /// failing job's log comes back to the same worker, whose session is
  /// resumed; the model fixes the test and runs `wt done` again; CI
  /// passes, GitHub's auto-merge merges it, and the bead closes.
  ///
  /// The stand-in model plays `RUN:` lines of the latest prompt as Bash
  /// calls: here the failing log carries the fix the model would make
  /// after reading it.
  @Suite(.tags(.realAgent), .timeLimit(.minutes(5))) struct ClaudePullRequestTests {
    @Test func theCIRoundMakesTheAgentFixTheTestAndThePullRequestMerges() throws {
      let rig = try ClaudeRig(onDone: "pr-auto")
      let p = rig.playground
      let remote = try p.onGitHub(pr: "{interval: 1}")
      FileManager.default.createFile(atPath: "\(p.dir)/required-checks", contents: nil)
      let id = try p.bead("Sum", description: """
        RUN: echo 2+2=5 > sum.txt
        RUN: git add sum.txt && git commit -qm 'add sum'
        RUN: '\(CLITests.binary)' done
        """)
      let auto = try p.background("auto", "--interval", "2")
      defer { if auto.isRunning { auto.terminate() } }
      func head() -> String? {
        let out = try? p.sh(["git", "-C", remote, "rev-parse", "--verify", "--quiet", "wt/\(id)"], check: false)
        return out?.status == 0 ? out?.stdout.trimmingCharacters(in: .whitespacesAndNewlines) : nil
      }
      func write(_ path: String, _ json: Any) throws {
        try FileManager.default.createDirectory(atPath: "\(p.dir)/\((path as NSString).deletingLastPathComponent)", withIntermediateDirectories: true)
        try JSONSerialization.data(withJSONObject: json).write(to: URL(fileURLWithPath: "\(p.dir)/\(path)"))
      }
      // The pull request is open; CI fails on its head.
      #expect(try p.wait(seconds: 120) {
        head() != nil && (String(data: p.read("\(p.dir)/gh.log") ?? Data(), encoding: .utf8) ?? "").contains("--auto")
      })
      let first = try #require(head())
      try write("runs/31.json", ["status": "completed", "conclusion": "failure", "headSha": first, "headBranch": "wt/\(id)", "workflowName": "CI"])
      try """
        FAIL: sum.txt says 2+2=5
        RUN: echo 2+2=4 > sum.txt && git commit -qam 'fix sum'
        RUN: '\(CLITests.binary)' done
        """.write(toFile: "\(p.dir)/runs/31.log", atomically: true, encoding: .utf8)
      try write("checks/\(first).json", [["name": "test", "status": "COMPLETED", "conclusion": "FAILURE", "workflow": "CI", "run": 31]])
      // The worker pushes a new head: CI passes on it.
      let pushed = try p.wait(seconds: 150) { head().map { $0 != first } ?? false }
      let diff = try p.wt("diff").stdout
      let background = String(decoding: p.read("\(p.dir)/background.log") ?? Data(), as: UTF8.self).suffix(3000)
      let events = String(decoding: p.read("\(p.dir)/state/events.jsonl") ?? Data(), as: UTF8.self).suffix(3000)
      let last = rig.requests.split(separator: "\n").last { $0.contains("\"tools\": [{") }.map { line -> String in
        let body = (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["body"] as? [String: Any]
        return ((body?["messages"] as? [[String: Any]]) ?? []).map { m in
          "\(m["role"] ?? ""): \(String(describing: m["content"] ?? "").suffix(600))"
        }.joined(separator: "\n---\n")
      } ?? ""
      #expect(pushed, "\(background)\n\(events)\n\(diff)\n\(last)")
      guard pushed else { return }
      let second = try #require(head())
      try write("checks/\(second).json", [["name": "test", "status": "COMPLETED", "conclusion": "SUCCESS", "workflow": "CI", "run": 32]])
      #expect(try p.wait(seconds: 90) { try p.show(id)["status"] as? String == "closed" })
      kill(auto.processIdentifier, SIGINT)
      auto.waitUntilExit()

      // Merged on origin's main, with the fix; nothing of the worker left.
      #expect(try p.sh(["git", "-C", remote, "show", "main:sum.txt"]).stdout == "2+2=4\n")
      let gone = try p.wait(seconds: 30) { !p.exists(p.worktree(id)) }
      let kept = gone ? "" : try p.wt("status", "--json").stdout + (try p.sh(["git", "status", "--porcelain", "--ignored"], in: p.worktree(id)).stdout)
      #expect(gone, "\(kept)")
      // The round reached the model with the log, in the resumed session.
      #expect(rig.requests.contains("FAIL: sum.txt says 2+2=5"))
      #expect(rig.events().contains { $0["event"] == "adopted" && $0["bead"] == id })
    }
  }
}
