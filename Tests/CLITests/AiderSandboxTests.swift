import Foundation
import Testing
import TestSupport

extension EndToEnd {
  /// The real Aider in bubblewrap (`agents: aider` + `sandbox: bwrap`, the
  /// program mounts derived from its venv: `ProgramSupport`), against
  /// `Tests/Support/fake-openai` on this machine's 127.0.0.1 (network
  /// full). Aider commits with git itself: its commit lands in the worker's
  /// own object store and `refs/worktree/*`, and wt brings it in when
  /// `wt done` merges. What it runs against the person (`/run`, which
  /// asks nothing) is refused and shown in its pane.
  @Suite(.tags(.realAgent), .timeLimit(.minutes(5))) struct AiderSandboxTests {
    @Test(.enabled(if: SandboxTests.bwrap)) func aiderInBubblewrapEditsCommitsAndIsMergedButCannotReadTheKeys() throws {
      let rig = try AiderRig()
      let p = rig.playground
      // Named as a person names it: `aider` on PATH, a link in ~/.local/bin
      // to the venv's script (as uv and pipx install it).
      try FileManager.default.createDirectory(atPath: "\(p.dir)/.local/bin", withIntermediateDirectories: true)
      try FileManager.default.createSymbolicLink(atPath: "\(p.dir)/.local/bin/aider", withDestinationPath: AiderStandIn.aiderBinary)
      p.env["PATH"] = "\(p.dir)/.local/bin:" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
      try p.editManifest {
        $0.replacingOccurrences(of: "    on_done: merge\n", with: "    on_done: merge\n    sandbox: {runtime: bwrap, network: full}\n")
          .replacingOccurrences(of: "command: [\(AiderStandIn.aiderBinary),", with: "command: [aider,")
      }
      try FileManager.default.createDirectory(atPath: "\(p.dir)/.ssh", withIntermediateDirectories: true)
      try "wt-test-key-5e1d\n".write(toFile: "\(p.dir)/.ssh/x", atomically: true, encoding: .utf8)
      let id = try p.bead("Write a", description: "WRITE: a.txt hello from a sandboxed aider")
      // wt diff shows what was derived for it: its venv, never the home.
      let diff = try p.wt("diff")
      let venv = URL(fileURLWithPath: AiderStandIn.aiderBinary).resolvingSymlinksInPath()
        .deletingLastPathComponent().deletingLastPathComponent().path
      #expect(diff.stdout.contains("  ro  \(venv)  — the Python environment of aider"), "\(diff.stdout)")
      #expect(!diff.stdout.contains("  ro  \(p.dir)  ") && !diff.stdout.contains("  ro  \(NSHomeDirectory())  "))
      #expect(diff.stdout.contains("  ln  \(p.dir)/.local/bin/aider -> "), "\(diff.stdout)")
      let apply = try p.wt("apply", "--yes")
      #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")

      // Its own commit: on its refs/worktree ref and in its own store,
      // not yet in the repository's.
      let gitDir = "\(p.repo)/.git/worktrees/\(id)"
      func ownTip() throws -> String {
        try p.sh(["git", "--git-dir=\(gitDir)", "rev-parse", "--verify", "-q", "refs/worktree/wt/\(id)"], check: false).stdout
          .trimmingCharacters(in: .whitespacesAndNewlines)
      }
      let main = try p.git("rev-parse", "main").trimmingCharacters(in: .whitespacesAndNewlines)
      let screen = { try p.sh(["tmux", "-L", p.socket, "capture-pane", "-p", "-J", "-S", "-200", "-t", "=wt-demo__\(id):"], check: false).stdout }
      let committed = try p.wait(seconds: 120) { try !ownTip().isEmpty && ownTip() != main }
      #expect(committed, "\((try? screen()) ?? "")\n\(rig.requests.suffix(2000))")
      let tip = try ownTip()
      #expect(try String(contentsOfFile: "\(p.worktree(id))/a.txt", encoding: .utf8).contains("hello from a sandboxed aider"))
      #expect(try p.sh(["git", "-C", p.repo, "cat-file", "-e", "\(tip)^{commit}"], check: false).status != 0)
      #expect(try p.git("rev-parse", "wt/\(id)").trimmingCharacters(in: .whitespacesAndNewlines) == main)
      #expect(try p.wait(seconds: 30) { try rig.status(id) == "idle" })

      // GitPython, which Aider reads git with, sees that commit too.
      #expect(try screen().contains("Commit \(tip.prefix(7)) feat: scripted edit"), "\((try? screen()) ?? "")")

      // What it runs is refused: the person's key, their main checkout.
      // (A failed `/run` leaves "What's wrong? Fix" typed in its prompt:
      // cleared first.)
      let attacks = [
        ("/run cat \(p.dir)/.ssh/x", "\(p.dir)/.ssh/x: No such file or directory"),
        ("/run sh -c 'echo pwned > \(p.repo)/README.md'", "Read-only file system"),
      ]
      for (line, refusal) in attacks {
        #expect(try p.wait(seconds: 30) { try rig.status(id) == "idle" })
        for keys in [["C-u"], ["-l", line], ["Enter"]] {
          try p.sh(["tmux", "-L", p.socket, "send-keys", "-t", "=wt-demo__\(id):"] + keys)
        }
        #expect(try p.wait(seconds: 60) { try screen().contains(refusal) }, "\((try? screen()) ?? "")")
      }
      #expect(!(try screen()).contains("wt-test-key-5e1d"))
      #expect(try String(contentsOfFile: "\(p.repo)/README.md", encoding: .utf8) == "hello\n")

      // Its Aider files in the worktree do not block the merge.
      let done = try p.wt("done", id)
      #expect(done.status == 0, "\(done.stdout)\(done.stderr)")
      #expect(try p.wait(seconds: 60) { (try p.show(id))["status"] as? String == "closed" })
      #expect(try p.git("show", "main:a.txt").contains("hello from a sandboxed aider"))
      #expect(try p.git("log", "--format=%H", "main").contains(tip))
      #expect(try p.git("ls-tree", "-r", "--name-only", "main").split(separator: "\n").allSatisfy { !$0.hasPrefix(".aider") })
      #expect(try p.claimedWithoutWorker().isEmpty)
      #expect(!p.exists("\(p.dir)/state/sandbox/wt-demo__\(id)"))
    }
  }
}
