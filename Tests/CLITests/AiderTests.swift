import Foundation
import Testing
import TestSupport

/// The whole loop on the real Aider (PyPI `aider-chat`, which
/// scripts/install-deps --tests puts in .venv/aider), offline: a temporary HOME, a
/// dummy key, and `Tests/Support/fake-openai`, a chat-completions stand-in
/// on 127.0.0.1 that turns `WRITE:` lines of the prompt into whole-file
/// edits. Aider has no hooks: everything wt knows of it, it reads on the
/// screen through the built-in `aider` profile.
/// The real Aider's stand-in model and its profile: a temporary HOME, a
/// dummy key, and `Tests/Support/fake-openai` on 127.0.0.1.
final class AiderStandIn: @unchecked Sendable {
  let api: Process
  let apiLog: String
  /// The `aider:` profile for a manifest's `agents:` block (indented).
  let profile: String

  static var aiderBinary: String { "\(CLITests.root)/.venv/aider/bin/aider" }

  /// `builtInPolicy`: the built-in profile as it ships (no `--yes-always`;
  /// its questions policy answers or leaves Aider's questions), with only
  /// the binary's path and the stand-in's settings (as Aider's `AIDER_*`
  /// variables) added. `editFormat`: `whole` for file edits, `diff` for a
  /// reply that proposes a shell command.
  init(
    delay: Double = 0, builtInPolicy: Bool = false, editFormat: String = "whole", apiEnvironment: [String: String] = [:]
  ) throws {
    guard FileManager.default.isExecutableFile(atPath: Self.aiderBinary) else {
      throw TestError("the real Aider is needed in .venv/aider: run scripts/install-deps --tests")
    }
    let base = FileManager.default.temporaryDirectory.appendingPathComponent("wt-aider-\(UUID().uuidString.prefix(8))").path
    let home = "\(base)/home"
    try FileManager.default.createDirectory(atPath: "\(home)/.aider/caches", withIntermediateDirectories: true)
    // Aider downloads litellm's price list unless a fresh copy is cached;
    // litellm ships one.
    let venvLib = "\(CLITests.root)/.venv/aider/lib"
    if let found = FileManager.default.enumerator(atPath: venvLib)?.first(where: {
      ($0 as? String)?.hasSuffix("litellm/model_prices_and_context_window_backup.json") == true
    }) as? String {
      try? FileManager.default.copyItem(
        atPath: "\(venvLib)/\(found)", toPath: "\(home)/.aider/caches/model_prices_and_context_window.json")
    }
    apiLog = "\(base)/api.log"
    let portFile = "\(base)/port"
    let port: String
    (api, port) = try StandIn.start("fake-openai", portFile: portFile, log: apiLog, environment: apiEnvironment.merging(["FAKE_API_DELAY": String(delay)]) { a, _ in a })
    // Only what this machine needs is overridden: the binary's path, the
    // stand-in model, and unattended file creation. Screen patterns,
    // dialogs and the rest come from the built-in profile.
    guard !builtInPolicy else {
      profile = """
          aider:
            command: [\(Self.aiderBinary), --no-check-update, --analytics-disable, --no-show-release-notes, --no-gitignore]
            env:
              HOME: \(home)
              OPENAI_API_KEY: sk-wt-test-dummy
              OPENAI_API_BASE: "http://127.0.0.1:\(port)/v1"
              LITELLM_LOCAL_MODEL_COST_MAP: "True"
              AIDER_MODEL: openai/gpt-4o
              AIDER_SHOW_MODEL_WARNINGS: "false"
              AIDER_EDIT_FORMAT: \(editFormat)
        """
      return
    }
    profile = """
        aider:
          command: [\(Self.aiderBinary), --no-check-update, --analytics-disable, --no-show-release-notes, --no-gitignore, --model, openai/gpt-4o, --no-show-model-warnings, --edit-format, whole, --yes-always]
          env:
            HOME: \(home)
            OPENAI_API_KEY: sk-wt-test-dummy
            OPENAI_API_BASE: "http://127.0.0.1:\(port)/v1"
            LITELLM_LOCAL_MODEL_COST_MAP: "True"
      """
  }

  deinit {
    api.terminate()
    api.waitUntilExit()
  }

  /// Every request the stand-in received, as text.
  var requests: String { (try? String(contentsOfFile: apiLog, encoding: .utf8)) ?? "" }

  /// The newest user message of each request, one per line: how many times
  /// Aider was told something.
  var userMessages: [String] {
    ((try? String(contentsOfFile: apiLog + ".user", encoding: .utf8)) ?? "").split(separator: "\n").compactMap {
      (try? JSONSerialization.jsonObject(with: Data($0.utf8), options: .fragmentsAllowed)) as? String
    }
  }
}

/// A playground whose project runs the real Aider.
final class AiderRig: @unchecked Sendable {
  let standIn: AiderStandIn
  let playground: Playground

  init(
    workers: Int = 1, delay: Double = 0, builtInPolicy: Bool = false, editFormat: String = "whole",
    apiEnvironment: [String: String] = [:]
  ) throws {
    standIn = try AiderStandIn(delay: delay, builtInPolicy: builtInPolicy, editFormat: editFormat, apiEnvironment: apiEnvironment)
    playground = try Playground(workers: workers, agents: standIn.profile, agent: "aider")
  }

  var requests: String { standIn.requests }

  func status(_ bead: String) throws -> String? { try playground.status(bead) }

  /// The commits on the worker's branch that are not in main.
  func commits(_ bead: String) throws -> String {
    try playground.sh(["git", "log", "--format=%s", "main..wt/\(bead)"], check: false).stdout
  }
}

extension Playground {
  /// The worker's status in `wt status --json`.
  func status(_ bead: String) throws -> String? {
    let rows = try rows("status", "--json")
    return rows.first { $0["bead"] as? String == bead }?["status"] as? String
  }
}

extension EndToEnd {
  @Suite(.tags(.realAgent), .timeLimit(.minutes(5))) struct AiderTests {
    @Test func twoBeadsOneSlotUnderWatchEditCommitAndFinish() throws {
      // A slow stand-in, so that the working screen lasts long enough to see.
      let rig = try AiderRig(delay: 2)
      let p = rig.playground
      let first = try p.bead("Write a", description: "WRITE: a.txt hello from aider", priority: 1)
      let second = try p.bead("Write b", description: "WRITE: b.txt more from aider", priority: 2)
      let auto = try p.background("auto", "--interval", "2")
      defer { if auto.isRunning { auto.terminate() } }

      for (bead, file) in [(first, "a.txt"), (second, "b.txt")] {
        // wt started Aider, pasted the prompt, and sees it working.
        #expect(try p.wait(seconds: 90) { try rig.status(bead) == "working" }, "\(bead) never showed working")
        // Aider wrote the file and committed it on the worker's branch.
        #expect(try p.wait(seconds: 60) { try rig.commits(bead).contains("feat: scripted edit") }, "no commit for \(bead)")
        #expect(try String(contentsOfFile: "\(p.worktree(bead))/\(file)", encoding: .utf8).contains("from aider"))
        // The turn over, wt reads the ready screen as idle.
        #expect(try p.wait(seconds: 30) { try rig.status(bead) == "idle" })
        // Its chat history files do not count as unfinished work.
        #expect(try p.sh(["git", "-C", p.worktree(bead), "status", "--porcelain"]).stdout == "")
        // A person finishes it, as wt's prompt asks the agent to.
        let done = try p.wt("done", bead)
        #expect(done.status == 0, "\(done.stdout)\(done.stderr)")
      }
      kill(auto.processIdentifier, SIGINT)
      auto.waitUntilExit()

      // Merged into main, beads closed, worktrees gone.
      #expect(try p.show(first)["status"] as? String == "closed")
      #expect(try p.show(second)["status"] as? String == "closed")
      #expect(p.exists("\(p.repo)/a.txt") && p.exists("\(p.repo)/b.txt"))
      #expect(!p.exists(p.worktree(first)) && !p.exists(p.worktree(second)))
      // The pasted prompt reached the model whole, once per bead.
      #expect(rig.requests.components(separatedBy: "Work on \(first): Write a").count - 1 >= 1)
      #expect(rig.requests.contains("WRITE: b.txt more from aider"))
      let log = try p.git("log", "--format=%s", "main")
      #expect(log.components(separatedBy: "feat: scripted edit").count - 1 == 2)
    }
  
    /// A manifest that mixes agents: one project, Claude Code by default
    /// and Aider for beads labelled `aider` (`agent_by_label`), both real,
    /// applied at once.
    @Test func claudeAndAiderSideBySide() throws {
      let aider = try AiderStandIn()
      let rig = try ClaudeRig(workers: 2, extraAgents: aider.profile)
      let p = rig.playground
      var yaml = try String(contentsOfFile: "\(p.dir)/wt.yaml", encoding: .utf8)
      yaml = yaml.replacingOccurrences(of: "    agent: claude\n", with: "    agent: claude\n    agent_by_label: {aider: aider}\n")
      try yaml.write(toFile: "\(p.dir)/wt.yaml", atomically: true, encoding: .utf8)
      let forClaude = try p.bead("Write c", description: "RUN: echo c > c.txt && git add c.txt && git commit -qm 'add c'")
      let forAider = try p.sh([p.env["WT_BD"]!, "create", "Write d", "-d", "WRITE: d.txt from aider", "-l", "aider", "--silent"])
        .stdout.trimmingCharacters(in: .whitespacesAndNewlines)
      let diff = try p.wt("diff", "-o", "json")
      let changes = (p.json(diff.stdout) as? [String: Any])?["changes"] as? [[String: Any]] ?? []
      #expect(Set(changes.compactMap { $0["agent"] as? String }) == ["claude", "aider"], "\(diff.stdout)")
      let apply = try p.wt("apply", "--yes")
      #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
      #expect(try p.wait(seconds: 90) {
        try p.sh(["git", "log", "--format=%s", "main..wt/\(forClaude)"], check: false).stdout.contains("add c")
          && p.sh(["git", "log", "--format=%s", "main..wt/\(forAider)"], check: false).stdout.contains("feat: scripted edit")
      })
      #expect(rig.requests.contains("Work on \(forClaude): Write c"))
      #expect(aider.requests.contains("Work on \(forAider): Write d"))
      #expect(!rig.requests.contains("Write d") && !aider.requests.contains("Write c"))
      for bead in [forClaude, forAider] {
        let done = try p.wt("done", bead)
        #expect(done.status == 0, "\(done.stdout)\(done.stderr)")
      }
      #expect(p.exists("\(p.repo)/c.txt") && p.exists("\(p.repo)/d.txt"))
    }
  }
}
