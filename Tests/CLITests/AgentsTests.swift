import Foundation
import Testing

extension EndToEnd {
  /// `wt agents`, `wt validate`'s warning, and an agent started with its
  /// prompt on the command line.
  @Suite struct AgentsTests {
    @Test func agentsListsBuiltInOverriddenAndDeclaredProfiles() throws {
      let p = try Playground(agent: "codex")
      var yaml = try String(contentsOfFile: "\(p.dir)/wt.yaml", encoding: .utf8)
      yaml = yaml.replacingOccurrences(of: "agents:\n", with: "agents:\n  aider: {command: [/bin/sh]}\n")
      try yaml.write(toFile: "\(p.dir)/wt.yaml", atomically: true, encoding: .utf8)
      let out = try p.wt("agents", "--json")
      let rows = p.rows(out.stdout)
      try #require(!rows.isEmpty)
      func row(_ name: String) -> [String: Any]? { rows.first { $0["name"] as? String == name } }
      #expect(row("fake")?["origin"] as? String == "declared")
      #expect(row("fake")?["installed"] as? Bool == true)
      #expect(row("aider")?["origin"] as? String == "overridden")
      #expect(row("aider")?["path"] as? String == "/bin/sh")
      #expect(row("codex")?["origin"] as? String == "built-in")
      #expect(row("codex")?["projects"] as? [String] == ["demo"])
      #expect(row("codex")?["prompt_arg"] as? String == "positional")
      #expect(row("codex")?["trust_seed"] as? String == "codex")
      #expect(row("gemini")?["hooks"] as? String == "gemini")
      #expect(row("codex")?["hooks"] as? String == "codex")
      #expect(row("claude")?["resume"] as? Bool == true)
      #expect(Set(rows.compactMap { $0["name"] as? String }).isSuperset(of: [
        "claude", "codex", "gemini", "opencode", "cursor", "copilot", "amp", "aider", "goose",
      ]))
      let table = try p.wt("agents").stdout.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
      // README: "which projects use it", as a column too.
      #expect(table.first == ["AGENT", "ORIGIN", "INSTALLED", "CAN", "PROJECTS", "COMMAND"])
      #expect(table.first { $0.first == "codex" }?[4] == "demo")
      #expect(table.first { $0.first == "gemini" }?[4] == "-")
    }

    @Test func validateWarnsWhenAProjectsAgentIsNotInstalled() throws {
      let p = try Playground(agent: "codex")
      p.env["PATH"] = "/nonexistent"
      let out = try p.wt("validate")
      #expect(out.status == 0)
      #expect(out.stderr.contains("warning: project 'demo': agent 'codex' runs 'codex', which is not installed here"))
      let json = try #require(p.json(try p.wt("validate", "--json").stdout) as? [String: Any])
      #expect((json["missing_agents"] as? [[String: String]])?.first?["agent"] == "codex")
    }

    /// The prompt goes as one argument after the profile's flag, sanitised,
    /// and indented when it would read as an option; nothing is pasted. The
    /// trust seed and the hooks are written before the agent starts, and
    /// leave the worktree clean.
    @Test func aPromptArgumentIsOneInertArgument() throws {
      let log = FileManager.default.temporaryDirectory.appendingPathComponent("wt-args-\(UUID().uuidString.prefix(8))").path
      let agents = """
          argv:
            command: [\(CLITests.root)/Tests/Support/record-args, \(log)]
            ready: '^> '
            prompt_arg: --prompt
            trust_seed: codex
            hooks: codex
            env: {HOME: \(log).home}
        """
      let p = try Playground(agents: agents, agent: "argv")
      var yaml = try String(contentsOfFile: "\(p.dir)/wt.yaml", encoding: .utf8)
      yaml = yaml.replacingOccurrences(of: "Work on {{bead.id}}: {{bead.title}}\n", with: "")
      try yaml.write(toFile: "\(p.dir)/wt.yaml", atomically: true, encoding: .utf8)
      let id = try p.bead("Options", descriptionFile: "--help me\u{1B}[201~\nsecond line")
      _ = try p.wt("apply", "--yes")
      #expect(try p.wait(seconds: 10) { p.exists(log) })
      #expect(try String(contentsOfFile: log, encoding: .utf8) == "--prompt| --help me\nsecond line\n")
      let worktree = p.worktree(id)
      let config = try String(contentsOfFile: "\(log).home/.codex/config.toml", encoding: .utf8)
      #expect(config.contains("[projects.\"\(worktree)\"]\ntrust_level = \"trusted\""))
      #expect(p.exists("\(worktree)/.codex/hooks.json"))
      #expect(try p.sh(["git", "-C", worktree, "status", "--porcelain"]).stdout == "")
    }
  }
}
