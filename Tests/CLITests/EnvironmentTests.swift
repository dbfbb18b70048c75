import Foundation
import Testing

/// What environment an agent and a gate get.
extension EndToEnd {
  @Suite struct EnvironmentTests {
    /// Issue 21: beside Claude Code, Aider found ANTHROPIC_API_KEY and
    /// talked to the wrong vendor. An agent gets its own vendor's keys only,
    /// at start and at every respawn of its pane.
    @Test func aWorkerGetsNoOtherVendorsKeys() throws {
      let agents = """
          keyed:
            command: [/bin/sh, -c, 'env > "$HOME/agent.env"; exec "$0"', \(Playground.root)/Tests/Support/fake-agent]
            ready: '^❯\\u00A0'
            busy: 'esc to interrupt'
            pass_env: [OPENAI_*]
            env: {FAKE_AGENT_DELAY: "0.2"}
        """
      let p = try Playground(agents: agents, agent: "keyed")
      p.env["ANTHROPIC_API_KEY"] = "sk-ant-person"
      p.env["GEMINI_API_KEY"] = "gm-person"
      p.env["OPENAI_API_KEY"] = "sk-openai-person"
      let id = try p.bead("Keys")
      let apply = try p.wt("apply", "--yes")
      #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
      #expect(try p.wait { p.exists("\(p.dir)/agent.env") })
      let env = try String(contentsOfFile: "\(p.dir)/agent.env", encoding: .utf8).split(separator: "\n").map(String.init)
      #expect(env.contains("OPENAI_API_KEY=sk-openai-person"))
      #expect(!env.contains { $0.hasPrefix("ANTHROPIC_API_KEY=") || $0.hasPrefix("GEMINI_API_KEY=") }, "\(env)")
      // A respawned pane starts from the session's environment.
      let session = try p.sh(["tmux", "-L", p.socket, "show-environment", "-t", "=wt-demo__\(id)"]).stdout
      #expect(session.contains("-ANTHROPIC_API_KEY\n") && session.contains("-GEMINI_API_KEY\n"), "\(session)")
    }

    /// Issue 21: an agent's `wt done` failed its gate ("No module named
    /// pytest") where the person's passed: the gate had the tmux server's
    /// environment. Here the server was started from a shell without the
    /// person's tool; the gate sees the same environment whether the agent
    /// runs `wt done` in its session or the person runs it in theirs.
    @Test func theGateHasThePersonsEnvironmentWhoeverRunsDone() async throws {
      let dump = FileManager.default.temporaryDirectory.appendingPathComponent("wt-gate-env-\(UUID().uuidString.prefix(8))").path
      try FileManager.default.createDirectory(atPath: dump, withIntermediateDirectories: true)
      defer { try? FileManager.default.removeItem(atPath: dump) }
      // Every variable but the ones a shell sets for itself, one file per
      // gate run, named for the bead its merge commit names ("Merge
      // wt/BEAD (BEAD) by wt"): gate worktrees are the queue's slots, not
      // the bead's.
      let gate = """
        [[sh, -c, 'env | grep -v -e "^PWD=" -e "^OLDPWD=" -e "^SHLVL=" -e "^_=" | LC_ALL=C sort > "\(dump)/demo-$(git log -1 --format=%s | cut -d"(" -f2 | cut -d")" -f1)"; test "$GATE_TOOL" = present']]
        """
      let p = try Playground(workers: 2, gate: gate)
      // The tmux server comes from a shell without the person's tool: a
      // first worker, started from there, keeps it running.
      let holding = try p.bead("Holds the server", description: "think", priority: 3)
      #expect(try p.wt("apply", "--yes").status == 0)
      #expect(try p.wait { p.exists(p.worktree(holding)) })
      p.env["GATE_TOOL"] = "present"
      let steps = [
        Playground.run("touch", "agent.txt"), Playground.run("git", "add", "agent.txt"),
        Playground.run("git", "commit", "-qm", "agent's work"), Playground.run(CLITests.binary, "done"),
      ].joined(separator: "\n")
      let byAgent = try p.bead("Agent finishes", description: steps, priority: 1)
      #expect(try p.wt("apply", "--yes").status == 0)
      #expect(try p.wait(seconds: 60) { p.exists("\(dump)/demo-\(byAgent)") })
      #expect(try p.wait { (try p.show(byAgent)["status"] as? String) == "closed" }, "the agent's wt done failed its gate")

      let byPerson = try p.bead("Person finishes", description: "think")
      #expect(try p.wt("apply", "--yes").status == 0)
      #expect(try p.wait { p.exists(p.worktree(byPerson)) })
      try p.commit("person.txt", "mine\n", in: p.worktree(byPerson))
      let done = try await p.awaited("done", byPerson)
      #expect(done.status == 0, "\(done.stderr)")
      let agents = try String(contentsOfFile: "\(dump)/demo-\(byAgent)", encoding: .utf8)
      let persons = try String(contentsOfFile: "\(dump)/demo-\(byPerson)", encoding: .utf8)
      #expect(agents.contains("GATE_TOOL=present\n"))
      #expect(agents == persons)
    }
  }
}
