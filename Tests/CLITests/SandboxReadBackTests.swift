import Foundation
import Testing
import TestSupport

extension EndToEnd {
  /// What wt outside reads for a sandboxed agent and sends back to it: the
  /// agent's git folder is its own to write, so a link there must not make
  /// wt read a file of the person's and print it where the agent sees it.
  @Suite(.serialized) struct SandboxReadBackTests {
    /// HEAD made a link to a file whose first line is 40 hex digits (an old
    /// GitHub token): `git worktree list` in the repository reads it as the
    /// worktree's commit (git 2.39). `wt done` refuses, and what it answers
    /// quotes nothing of that file (git in the worktree itself calls the
    /// folder no repository first).
    @Test(.enabled(if: SandboxTests.bwrap)) func wtDoneDoesNotReadAFileThroughTheAgentsHead() throws {
      let p = try SandboxTests.playground(workers: 1)
      let secret = "0123456789abcdef0123456789abcdef7e57f00d"
      try "\(secret)\n".write(toFile: "\(p.dir)/token", atomically: true, encoding: .utf8)
      let id = try p.bead(
        "read back",
        description: [
          Playground.run("sh", "-c", "echo work > f.txt && git add f.txt && git commit -qm work"),
          Playground.run("sh", "-c", "g=$(git rev-parse --git-dir) && rm \"$g/HEAD\" && ln -s \(p.dir)/token \"$g/HEAD\""),
          Playground.run("wt", "done"),
        ].joined(separator: "\n"))
      let apply = try p.wt("apply", "--yes")
      #expect(apply.status == 0, "\(apply.stderr)")
      let screen = { try p.sh(["tmux", "-L", p.socket, "capture-pane", "-p", "-J", "-S", "-200", "-t", "=wt-demo__\(id):"], check: false).stdout }
      #expect(try p.wait(seconds: 60) { try screen().contains("● ran [\"wt\",\"done\"] (exit ") }, "\((try? screen()) ?? "")\n\((try? p.wt("status")).map { $0.stdout + $0.stderr } ?? "")")
      let shown = try screen()
      #expect(!shown.contains("● ran [\"wt\",\"done\"] (exit 0)"), "\(shown)")
      #expect(!shown.contains(String(secret.suffix(12))), "\(shown)")
      #expect((try p.show(id))["status"] as? String != "closed")
    }
  }
}
