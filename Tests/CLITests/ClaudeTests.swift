import Foundation
import Testing
import TestSupport

/// The whole loop on the real Claude Code binary (PyPI's claude-agent-sdk
/// ships it), offline: a temporary HOME, a dummy key, and the Messages-API
/// stand-in `Tests/Support/fake-anthropic` on 127.0.0.1 scripting its
/// replies. `.ci/run` installs the package.
final class ClaudeRig: @unchecked Sendable {
  let playground: Playground
  let api: Process
  let apiLog: String
  let claude: String
  let home: String

  /// The real Claude Code, shipped in claude-agent-sdk, which
  /// scripts/install-deps --tests puts in the checkout's .venv.
  static func claudeBinary() throws -> String {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "\(CLITests.root)/.venv/bin/python3")
    p.arguments = [
      "-c",
      "import claude_agent_sdk, os; print(os.path.join(os.path.dirname(claude_agent_sdk.__file__), '_bundled', 'claude'))",
    ]
    let out = Pipe()
    p.standardOutput = out
    p.standardError = FileHandle.nullDevice
    guard (try? p.run()) != nil else { throw TestError("no \(CLITests.root)/.venv: run scripts/install-deps --tests") }
    let path = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
      .trimmingCharacters(in: .whitespacesAndNewlines)
    p.waitUntilExit()
    guard p.terminationStatus == 0, FileManager.default.isExecutableFile(atPath: path) else {
      throw TestError("the real Claude Code is needed in .venv: run scripts/install-deps --tests (.ci/run does)")
    }
    return path
  }

  /// `extraAgents`: more profiles for the manifest (a mixed manifest).
  /// `allowBash` false: the repository pre-approves nothing, so every
  /// scripted shell command asks the person for permission in the pane.
  /// `apiFailures`: the stand-in's first N conversation requests fail
  /// with 529; `maxRetries`: Claude Code's `CLAUDE_CODE_MAX_RETRIES`.
  /// `api`: more of the stand-in's knobs (its limits); `credential`: the
  /// agent's credential variable and value (a subscription's
  /// `CLAUDE_CODE_OAUTH_TOKEN` rather than the API key).
  init(
    workers: Int = 1, extraAgents: String = "", allowBash: Bool = true, apiFailures: Int = 0, maxRetries: Int? = nil,
    api knobs: [String: String] = [:], credential: (name: String, value: String) = ("ANTHROPIC_API_KEY", "sk-ant-wt-test-dummy")
  ) throws {
    claude = try Self.claudeBinary()
    let base = FileManager.default.temporaryDirectory.appendingPathComponent("wt-claude-\(UUID().uuidString.prefix(8))").path
    home = "\(base)/home"
    try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
    apiLog = "\(base)/api.log"
    let portFile = "\(base)/port"
    let port: String
    (api, port) = try StandIn.start(
      "fake-anthropic", portFile: portFile, log: apiLog,
      environment: ["FAKE_API_FAIL": String(apiFailures)].merging(knobs) { _, b in b })
    // Claude Code asks its service for onboarding unless this is set.
    let version = try Self.version(claude)
    try #"{"hasCompletedOnboarding": true, "lastOnboardingVersion": "\#(version)"}"#
      .write(toFile: "\(home)/.claude.json", atomically: true, encoding: .utf8)
    let agents = """
        claude:
          command: [\(claude), --permission-mode, acceptEdits]
          resume: [\(claude), --permission-mode, acceptEdits, --resume, "{{worker.session_id}}"]
          env:
            HOME: \(home)
            \(credential.name): \(credential.value)
            ANTHROPIC_BASE_URL: "http://127.0.0.1:\(port)"
            DISABLE_AUTOUPDATER: "1"
            CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1"\(maxRetries.map { "\n      CLAUDE_CODE_MAX_RETRIES: \"\($0)\"" } ?? "")
      \(extraAgents)
      """
    playground = try Playground(workers: workers, agents: agents, agent: "claude")
    guard allowBash else { return }
    // Scripted shell commands run without asking, as in a trusted repo.
    let settings = "\(playground.repo)/.claude"
    try FileManager.default.createDirectory(atPath: settings, withIntermediateDirectories: true)
    try #"{"permissions": {"allow": ["Bash"]}}"#.write(toFile: "\(settings)/settings.json", atomically: true, encoding: .utf8)
    try playground.sh(["git", "add", "-A"])
    try playground.sh(["git", "commit", "-qm", "allow Bash for the scripted model"])
    _ = base
  }

  deinit {
    api.terminate()
    api.waitUntilExit()
  }

  static func version(_ claude: String) throws -> String {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: claude)
    p.arguments = ["--version"]
    let out = Pipe()
    p.standardOutput = out
    try p.run()
    let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    p.waitUntilExit()
    return String(text.split(separator: " ").first ?? "")
  }

  /// Every request the stand-in received, as text.
  var requests: String { (try? String(contentsOfFile: apiLog, encoding: .utf8)) ?? "" }

  func events() -> [[String: String]] {
    let text = (try? String(contentsOfFile: "\(playground.dir)/state/events.jsonl", encoding: .utf8)) ?? ""
    return text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: String] }
  }

  func transcript(session: String) -> String? {
    let projects = "\(home)/.claude/projects"
    for folder in (try? FileManager.default.contentsOfDirectory(atPath: projects)) ?? [] {
      if let text = try? String(contentsOfFile: "\(projects)/\(folder)/\(session).jsonl", encoding: .utf8) { return text }
    }
    return nil
  }
}

extension EndToEnd {
  @Suite(.tags(.realAgent), .timeLimit(.minutes(5))) struct ClaudeTests {
    @Test func twoBeadsOneSlotRunUnattendedToTheEnd() throws {
      let rig = try ClaudeRig()
      let p = rig.playground
      func steps(_ file: String) -> String {
        """
        RUN: echo \(file) > \(file)
        RUN: git add \(file) && git commit -qm 'add \(file)'
        RUN: '\(CLITests.binary)' done
        """
      }
      let first = try p.bead("Write a", description: steps("a.txt"), priority: 1)
      let second = try p.bead("Write b", description: steps("b.txt"), priority: 2)
      let auto = try p.background("auto", "--interval", "2")
      defer { if auto.isRunning { auto.terminate() } }

      #expect(try p.wait(seconds: 150) { (try p.show(second)["status"] as? String) == "closed" })
      kill(auto.processIdentifier, SIGINT)
      auto.waitUntilExit()
      #expect(auto.terminationStatus == 130)

      // Merged into main, beads closed, worktrees gone.
      #expect(try p.show(first)["status"] as? String == "closed")
      #expect(p.exists("\(p.repo)/a.txt") && p.exists("\(p.repo)/b.txt"))
      #expect(!p.exists(p.worktree(first)) && !p.exists(p.worktree(second)))
      // The prompt reached the model, and so did `wt prime` (SessionStart hook).
      #expect(rig.requests.contains("Work on \(first): Write a"))
      #expect(rig.requests.contains("# Bead \(first): Write a"))
      // The transcript holds the prompt under the session id wt gave it.
      let created = rig.events().first { $0["event"] == "created" && $0["bead"] == first }
      let session = try #require(created?["session"])
      let transcript = try #require(rig.transcript(session: session))
      #expect(transcript.contains("Work on \(first): Write a"))
      // Hooks moved the status through working and idle.
      let statuses = rig.events().filter { $0["worker"] == "demo/\(first)" && $0["event"] == "signal" }.compactMap { $0["status"] }
      #expect(statuses.contains("working"))
      #expect(statuses.contains("starting"))
      #expect(try p.wt("seance", first, "--transcript").stdout.contains("Work on \(first): Write a"))
    }

    @Test func aKilledClaudeIsResumedWithItsSessionId() throws {
      let rig = try ClaudeRig()
      let p = rig.playground
      let id = try p.bead("Think", description: "No commands; just answer.")
      #expect(try p.wt("apply", "--yes").status == 0)
      let record = rig.events().first { $0["event"] == "created" }
      let session = try #require(record?["session"])
      #expect(try p.wait(seconds: 30) { rig.events().contains { $0["status"] == "idle" } })
      let panes = try p.sh(["tmux", "-L", p.socket, "list-panes", "-a", "-F", "#{pane_pid}"]).stdout
      let pid = try #require(Int32(panes.trimmingCharacters(in: .whitespacesAndNewlines)))
      kill(pid, SIGKILL)
      #expect(try p.wait(seconds: 10) {
        try p.sh(["tmux", "-L", p.socket, "list-panes", "-a", "-F", "#{pane_dead}"]).stdout.hasPrefix("1")
      })
      let diff = try p.wt("diff")
      #expect(diff.stdout.contains("the agent exited; resume session \(session)"))
      let apply = try p.wt("apply", "--yes")
      #expect(apply.stdout.contains("resumed session \(session)"), "\(apply.stdout)\(apply.stderr)")
      let newPid = try p.sh(["tmux", "-L", p.socket, "list-panes", "-a", "-F", "#{pane_pid} #{pane_dead}"]).stdout
      #expect(newPid.hasSuffix(" 0\n"))
      // ps, not /proc: macOS has none. The session id holds no spaces.
      let args = try p.sh(["ps", "-o", "args=", "-p", String(newPid.split(separator: " ")[0])]).stdout
      #expect(args.split(separator: " ").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.suffix(2) == ["--resume", session])
      #expect(try p.wt("diff").stdout.contains("No changes"))
      _ = id
    }

    /// What wt's own prompt tells the agent to do when it needs a person:
    /// the question survives the Stop hook and the time after it, and goes
    /// when the person answers in the agent.
    @Test func aCallForHelpStaysUntilTheAgentTakesANewPrompt() throws {
      let rig = try ClaudeRig()
      let p = rig.playground
      let id = try p.bead("Ask first", description: "RUN: '\(CLITests.binary)' signal needs-input 'EUR or USD?'")
      #expect(try p.wt("apply", "--yes").status == 0)
      let name = "demo/\(id)"
      func mine() -> [[String: String]] { rig.events().filter { $0["worker"] == name && $0["event"] == "signal" } }
      #expect(try p.wait(seconds: 90) {
        let events = mine()
        guard let asked = events.firstIndex(where: { $0["by"] == "needs-input" }) else { return false }
        return events[asked...].contains { $0["by"] == "stop" }
      }, "\(mine())")
      Thread.sleep(forTimeInterval: 10)
      func row() throws -> [String: Any]? {
        (try p.rows("status", "--json")).first { $0["name"] as? String == name }
      }
      #expect(try row()?["status"] as? String == "needs-input")
      #expect(try row()?["message"] as? String == "EUR or USD?")
      #expect(try p.wt("status", "--attention").stdout == "wt: 1 needs you\n")

      // The person answers in the agent's own input.
      let pane = try p.sh(["tmux", "-L", p.socket, "list-panes", "-a", "-F", "#{pane_id}"]).stdout
        .trimmingCharacters(in: .whitespacesAndNewlines)
      try p.sh(["tmux", "-L", p.socket, "send-keys", "-t", pane, "-l", "USD"])
      // Enter once Claude Code shows what was typed in its input line
      // (`❯`, a no-break space and the text, as in the fixture
      // claude-screens/typed-not-submitted.txt; sooner, it may take the
      // Enter as part of a paste).
      #expect(try p.wait(seconds: 30) {
        try p.sh(["tmux", "-L", p.socket, "capture-pane", "-p", "-t", pane]).stdout.split(separator: "\n")
          .contains { $0.contains("❯") && $0.hasSuffix("USD") }
      })
      try p.sh(["tmux", "-L", p.socket, "send-keys", "-t", pane, "Enter"])
      #expect(try p.wait(seconds: 30) { mine().contains { $0["by"] == "prompt-submitted" && $0["status"] == "working" } })
      #expect(try p.wait(seconds: 30) { try row()?["status"] as? String != "needs-input" })
      #expect(try p.wt("status", "--attention").stdout == "")
    }
  }
}
