import Foundation
import Testing

extension EndToEnd {
  /// Aider asks its own questions after it took the prompt. With the
  /// built-in profile as it ships, its policy answers the file questions
  /// (part of the edit the bead asked for) and leaves anything else, a
  /// shell command above all, to the person; the prompt is never sent
  /// again, whatever the screen shows after the paste.
  @Suite struct AiderQuestionsTests {
    @Test func fileQuestionsAnsweredAndThePromptSentOnce() throws {
      let rig = try AiderRig(delay: 3, builtInPolicy: true)
      let p = rig.playground
      // README.md exists: naming it makes Aider ask "Add file to the
      // chat?"; hello.txt does not: writing it asks "Create new file?".
      let bead = try p.bead(
        "Say hello", description: "Leave README.md as it is.\nWRITE: hello.txt one line from aider")
      let auto = try p.background("auto", "--interval", "2")
      defer { if auto.isRunning { auto.terminate() } }

      #expect(try p.wait(seconds: 120) { try rig.commits(bead).contains("feat: scripted edit") }, "no commit for \(bead)")
      // Both questions were asked, and answered by the profile.
      let history = try String(contentsOfFile: "\(p.worktree(bead))/.aider.chat.history.md", encoding: .utf8)
      #expect(history.contains("Add file to the chat?"), "\(history)")
      #expect(history.contains("Create new file?"), "\(history)")
      // The turn over, the worker is idle; wt had long enough to send it
      // again, and must not have.
      #expect(try p.wait(seconds: 30) { try rig.status(bead) == "idle" })
      let told = rig.standIn.userMessages.filter { $0.hasPrefix("Work on \(bead)") }
      #expect(told.count == 1, "Aider was given the prompt \(told.count) times: \(rig.standIn.userMessages)")
      kill(auto.processIdentifier, SIGINT)
      auto.waitUntilExit()

      let done = try p.wt("done", bead)
      #expect(done.status == 0, "\(done.stdout)\(done.stderr)")
      let merged = try String(contentsOfFile: "\(p.repo)/hello.txt", encoding: .utf8)
      #expect(merged.components(separatedBy: "one line from aider").count - 1 == 1, "\(merged)")
      #expect(try p.git("log", "--format=%s", "main").components(separatedBy: "feat: scripted edit").count - 1 == 1)
    }

    @Test func aShellCommandQuestionIsThePersons() throws {
      let rig = try AiderRig(builtInPolicy: true, editFormat: "diff")
      let p = rig.playground
      let bead = try p.bead("Run it", description: "SHELL: touch ran-by-aider.txt")
      let apply = try p.wt("apply", "--yes")
      #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
      // The question stands; the worker needs its person, and says why.
      var message = ""
      #expect(try p.wait(seconds: 60) {
        let row = try p.rows("status", "--json").first { $0["bead"] as? String == bead }
        message = row?["message"] as? String ?? ""
        return row?["status"] as? String == "needs-input"
      }, "never needs-input: \(message)")
      #expect(message.contains("Run shell command?"), "\(message)")
      // Any long-running look records it, so the status line counts it
      // without reading a screen itself.
      #expect(try p.wt("watch", "--once").status == 0)
      #expect(try p.wt("status", "--attention").stdout == "wt: 1 needs you\n")
      // A second pass neither answers it nor sends the prompt again.
      let again = try p.wt("apply", "--yes")
      #expect(again.status == 0, "\(again.stdout)\(again.stderr)")
      #expect(try rig.status(bead) == "needs-input")
      #expect(!p.exists("\(p.worktree(bead))/ran-by-aider.txt"))
      let told = rig.standIn.userMessages.filter { $0.hasPrefix("Work on \(bead)") }
      #expect(told.count == 1, "Aider was given the prompt \(told.count) times")
    }
  }
}
