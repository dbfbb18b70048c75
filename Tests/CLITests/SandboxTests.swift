import Foundation
import Testing
import TestSupport

extension EndToEnd {
  /// Workers in a bubblewrap sandbox (README, "Sandboxed workers"), with the
  /// real bwrap (scripts/install-deps --tests), the fake agent and the bd
  /// double: what an agent inside tries against the person is refused and
  /// shown in its pane, and its own work still commits, signals and merges.
  @Suite(.serialized) struct SandboxTests {
    static var bwrap: Bool { FileManager.default.isExecutableFile(atPath: "/usr/bin/bwrap") }

    /// A playground whose project runs its agents in bwrap; the fake agent
    /// logs into a folder the sandbox may write (`read_write`).
    static func playground(
      network: String = "none", readOnly: [String] = [], workers: Int = 2, runtime: String = "bwrap", env: [String: String] = [:]
    ) throws -> Playground {
      let base = FileManager.default.temporaryDirectory.appendingPathComponent("wt-sbx-\(UUID().uuidString.prefix(6))").path
      let logs = "\(base)-logs"
      try FileManager.default.createDirectory(atPath: logs, withIntermediateDirectories: true)
      let agents = """
          fake:
            command: [\(CLITests.root)/Tests/Support/fake-agent]
            session_id: true
            ready: '^❯\\u00A0'
            busy: 'esc to interrupt'
            env: {FAKE_AGENT_DELAY: "0.2", FAKE_AGENT_WORK: "0.3", FAKE_AGENT_LOG: "\(logs)/agent.log", FAKE_AGENT_HISTORY: "40"}
        """
      let p = try Playground(workers: workers, agents: agents)
      p.env.merge(env) { _, b in b }
      let extra = readOnly.isEmpty ? "" : ", read_only: [\(readOnly.joined(separator: ", "))]"
      try p.editManifest {
        $0.replacingOccurrences(
          of: "    on_done: merge\n", with: "    on_done: merge\n    sandbox: {runtime: \(runtime), network: \(network), read_write: [\(logs)]\(extra)}\n")
      }
      return p
    }

    static func pane(_ p: Playground, _ bead: String) throws -> String {
      try p.sh(["tmux", "-L", p.socket, "capture-pane", "-p", "-J", "-t", "=wt-demo__\(bead):"], check: false).stdout
    }

    @Test(.enabled(if: bwrap)) func whatAnAgentTriesAgainstThePersonIsRefusedAndItsOwnWorkMerges() async throws {
      try Self.attackThenFinish(try Self.playground())
    }

    /// The attack list every runtime is held to (issue 26): an agent
    /// another worker runs beside tries each of them against the person,
    /// each refused and shown in its pane; then its own commit, a note in
    /// bd, `wt signal` and `wt done`, merged through the queue.
    static func attackThenFinish(_ p: Playground) throws {
      // The person's things: a key, a global git config, a remote, another branch.
      try FileManager.default.createDirectory(atPath: "\(p.dir)/.ssh", withIntermediateDirectories: true)
      try "secret\n".write(toFile: "\(p.dir)/.ssh/x", atomically: true, encoding: .utf8)
      try p.sh(["git", "init", "-q", "--bare", "\(p.dir)/remote.git"])
      _ = try p.git("remote", "add", "origin", "\(p.dir)/remote.git")
      _ = try p.git("branch", "other")
      let mainBefore = try p.git("rev-parse", "main").trimmingCharacters(in: .whitespacesAndNewlines)
      let otherBefore = try p.git("rev-parse", "other").trimmingCharacters(in: .whitespacesAndNewlines)
      // Another worker, whose agent is the target.
      let victim = try p.bead("victim", description: "nothing to do", priority: 0)
      var apply = try p.wt("apply", "--yes")
      #expect(apply.status == 0, "\(apply.stderr)")
      let victimPid = try p.sh(["tmux", "-L", p.socket, "display-message", "-p", "-t", "=wt-demo__\(victim):", "#{pane_pid}"]).stdout
        .trimmingCharacters(in: .whitespacesAndNewlines)
      #expect(Int(victimPid) != nil)
      let listener = try TCPListener()
      let bd = "\(CLITests.root)/Tests/Support/bd"
      let attacks = [
        Playground.run("cat", "\(p.dir)/.ssh/x"),
        Playground.run("sh", "-c", "echo pwned > \(p.repo)/README.md"),
        Playground.run("sh", "-c", "echo pwned > \(p.worktree(victim))/pwned"),
        Playground.run("kill", "-9", victimPid),
        Playground.run("git", "push", "origin", "HEAD:refs/heads/stolen"),
        Playground.run("git", "config", "--global", "user.name", "pwned"),
        Playground.run("git", "update-ref", "refs/heads/other", "HEAD"),
        // bd's redirect would send every bd of the repository, the
        // person's too, to a database the agent made.
        Playground.run("sh", "-c", "echo \(p.dir)/elsewhere > \(p.repo)/.beads/redirect"),
        Playground.run("rm", "-f", "\(p.repo)/.beads/redirect"),
        Playground.run("python3", "-c", "import socket; socket.create_connection(('127.0.0.1', \(listener.port)), 3)"),
      ]
      let id = try p.bead("sandboxed", description: attacks.joined(separator: "\n") + "\n" + [
        Playground.run("sh", "-c", "echo work > feature.txt"),
        Playground.run("git", "add", "feature.txt"),
        Playground.run("git", "commit", "-qm", "the feature"),
        Playground.run(bd, "create", "written from inside", "--silent"),
        Playground.run("wt", "signal", "needs-input", "checking in from the sandbox"),
      ].joined(separator: "\n"))
      _ = id
      apply = try p.wt("apply", "--yes")
      #expect(apply.status == 0, "\(apply.stderr)")
      let screen = { try pane(p, id) }
      #expect(try p.wait(seconds: 60) { try screen().contains("checking in") || screen().components(separatedBy: "● ran").count > 15 })
      let shown = try screen()
      SandboxTests.expectEachRefused(attacks, on: shown)
      #expect(shown.contains("No such file or directory"), "\(shown)")
      #expect(shown.contains("Read-only file system"), "\(shown)")
      #expect(shown.contains("No such process"), "\(shown)")
      #expect(shown.contains("Connection refused") || shown.contains("Network is unreachable"), "\(shown)")
      // Nothing of the person's moved.
      #expect(try String(contentsOfFile: "\(p.repo)/README.md", encoding: .utf8) == "hello\n")
      #expect(!p.exists("\(p.worktree(victim))/pwned"))
      #expect(!p.exists("\(p.dir)/.gitconfig"))
      #expect((try? String(contentsOfFile: "\(p.repo)/.beads/redirect", encoding: .utf8))?.hasPrefix("# wt: no redirect") == true)
      #expect(!(try p.git("status", "--porcelain")).contains("redirect"))
      #expect(try p.git("rev-parse", "other").trimmingCharacters(in: .whitespacesAndNewlines) == otherBefore)
      #expect(try p.git("rev-parse", "main").trimmingCharacters(in: .whitespacesAndNewlines) == mainBefore)
      #expect(try p.sh(["git", "-C", "\(p.dir)/remote.git", "for-each-ref"]).stdout.isEmpty)
      #expect(listener.accepted == 0)
      #expect(try p.sh(["tmux", "-L", p.socket, "display-message", "-p", "-t", "=wt-demo__\(victim):", "#{pane_dead}"]).stdout.hasPrefix("0"))
      // Its own work: committed, signalled, noted in bd, then done.
      #expect(try p.wait(seconds: 20) {
        try p.wt("status", "--json").stdout.contains("checking in from the sandbox")
      })
      #expect(try p.sh([bd, "list", "--json"]).stdout.contains("written from inside"))
      try p.sh(["tmux", "-L", p.socket, "send-keys", "-t", "=wt-demo__\(id):", "-l", Playground.run("wt", "done")])
      try p.sh(["tmux", "-L", p.socket, "send-keys", "-t", "=wt-demo__\(id):", "Enter"])
      let closed = try p.wait(seconds: 60) { (try p.show(id))["status"] as? String == "closed" }
      #expect(closed, "\((try? screen()) ?? "")")
      #expect(try p.git("show", "main:feature.txt") == "work\n")
      #expect(try p.claimedWithoutWorker().isEmpty)
      // The bead closes before the teardown that removes the folder.
      #expect(try p.wait(seconds: 30) { !p.exists("\(p.dir)/state/sandbox/wt-demo__\(id)") })
    }

    @Test(.enabled(if: bwrap)) func aSandboxThatCannotStartLeavesNoClaimedBeadAndNoSession() throws {
      let p = try Self.playground(readOnly: ["/no/such/toolchain"], workers: 1)
      let id = try p.bead("never starts")
      let apply = try p.wt("apply", "--yes")
      #expect(apply.status != 0)
      #expect(apply.stdout.contains("sandbox") || apply.stderr.contains("sandbox"), "\(apply.stdout)\(apply.stderr)")
      #expect((try p.show(id))["status"] as? String == "open")
      #expect(try p.claimedWithoutWorker().isEmpty)
      let sessions = try p.sh(["tmux", "-L", p.socket, "list-sessions", "-F", "#{session_name}"], check: false).stdout
      #expect(!sessions.contains(id))
    }
  }
}

extension SandboxTests {
  @Test(.enabled(if: bwrap)) func diffShowsEachNewWorkersMountsAndValidateSaysWhatIsMissing() throws {
    let p = try Self.playground(workers: 1)
    let id = try p.bead("shown")
    let diff = try p.wt("diff")
    #expect(diff.status == 0, "\(diff.stderr)")
    #expect(diff.stdout.contains("Sandbox of demo/\(id): bwrap, network none"), "\(diff.stdout)")
    #expect(diff.stdout.contains("  rw  \(p.worktree(id))  — the worktree"))
    #expect(diff.stdout.contains("  ro  \(p.repo)/.git  — the repository's git folder"))
    #expect(!diff.stdout.contains("  rw  \(p.repo)  "))
    #expect(try p.wt("validate").status == 0)
    try p.editManifest { $0.replacingOccurrences(of: "{runtime: bwrap,", with: "{runtime: podman, image: localhost/wt-no-such-image:1,") }
    let validate = try p.wt("validate")
    #expect(validate.status == 1)
    #expect(validate.stderr.contains("wt.yaml:18:14: error: sandbox 'podman' cannot run here: the image localhost/wt-no-such-image:1 is not on this machine"), "\(validate.stderr)")
    #expect(validate.stderr.contains("hint: build it here (podman build -t localhost/wt-no-such-image:1 DIR)"))
  }
}

extension SandboxTests {
  /// Each `RUN:` line the fake agent ran (`Playground.run`) shows in the
  /// pane as run and failed: refused inside the sandbox.
  static func expectEachRefused(_ attacks: [String], on shown: String, sourceLocation: SourceLocation = #_sourceLocation) {
    for attack in attacks {
      let command = String(attack.dropFirst(5))
      #expect(
        shown.contains("● ran \(command) (exit ") && !shown.contains("● ran \(command) (exit 0)"), "\(command) in:\n\(shown)",
        sourceLocation: sourceLocation)
    }
  }
}

/// A TCP listener on this machine's 127.0.0.1 that counts connections: a
/// sandbox with `network: none` must never reach it.
final class TCPListener: @unchecked Sendable {
  let child: LoopbackChild
  var port: Int { child.port }

  init() throws {
    child = try LoopbackChild(
      script: """
        import os, socket, sys
        s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen(8); s.settimeout(1)
        open(sys.argv[2], 'w').write(str(s.getsockname()[1]))
        n = 0
        while os.getppid() == int(sys.argv[3]):
            try:
                c, _ = s.accept()
            except socket.timeout:
                continue
            n += 1; open(sys.argv[1], 'w').write(str(n)); c.close()
        """, what: "the listener")
  }

  var accepted: Int { child.count }
}

extension EndToEnd {
  /// The real Claude Code in bubblewrap (network full: the Messages-API
  /// stand-in is on this machine's 127.0.0.1): its hooks reach wt through
  /// the socket (`wt prime` at SessionStart, `wt signal`), its Bash tool
  /// commits inside, and its own `wt done` merges.
  @Suite(.tags(.realAgent), .timeLimit(.minutes(5))) struct ClaudeSandboxTests {
    @Test(.enabled(if: SandboxTests.bwrap)) func claudeInBubblewrapCommitsSignalsAndFinishes() throws {
      try Self.commitsSignalsAndFinishes(sandbox: "bwrap")
    }

    /// The same with the real podman; network full is the host's (the
    /// stand-in listens on 127.0.0.1), and podman runs with the tests'
    /// containers.conf (PodmanSandboxTests.rig).
    @Test(.tags(.podman), .enabled(if: PodmanSandboxTests.podman)) func claudeInPodmanCommitsSignalsAndFinishes() throws {
      let (conf, image) = try PodmanSandboxTests.rig()
      try Self.commitsSignalsAndFinishes(sandbox: "{runtime: podman, image: \(image)}", environment: ["CONTAINERS_CONF": conf])
    }

    static func commitsSignalsAndFinishes(sandbox: String, environment: [String: String] = [:]) throws {
      let rig = try ClaudeRig()
      let p = rig.playground
      p.env.merge(environment) { _, b in b }
      try p.editManifest { $0.replacingOccurrences(of: "    on_done: merge\n", with: "    on_done: merge\n    sandbox: \(sandbox)\n") }
      try FileManager.default.createDirectory(atPath: "\(p.dir)/.ssh", withIntermediateDirectories: true)
      try "wt-test-key-7f3a\n".write(toFile: "\(p.dir)/.ssh/x", atomically: true, encoding: .utf8)
      let id = try p.bead(
        "Write a",
        description: """
          RUN: cat \(p.dir)/.ssh/x; echo a > a.txt
          RUN: git add a.txt && git commit -qm 'add a.txt'
          RUN: wt done
          """)
      let apply = try p.wt("apply", "--yes")
      #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
      let closed = try p.wait(seconds: 150) { (try p.show(id)["status"] as? String) == "closed" }
      let screen = try p.sh(["tmux", "-L", p.socket, "capture-pane", "-p", "-t", "=wt-demo__\(id):"], check: false).stdout
      #expect(closed, "\(screen)\n\(rig.requests.suffix(3000))")
      #expect(try p.git("show", "main:a.txt") == "a\n")
      // Its SessionStart hook ran `wt prime` through the socket.
      #expect(rig.requests.contains("# Bead \(id): Write a"))
      let statuses = rig.events().filter { $0["worker"] == "demo/\(id)" && $0["event"] == "signal" }.compactMap { $0["status"] }
      #expect(statuses.contains("working"))
      // The key was not there to read.
      #expect(!rig.requests.contains("wt-test-key-7f3a"))
      #expect(rig.requests.contains("\(p.dir)/.ssh/x: No such file or directory"))
      #expect(try p.claimedWithoutWorker().isEmpty)
    }
  }
}
