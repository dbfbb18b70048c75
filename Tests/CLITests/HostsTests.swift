import Foundation
import Testing

/// A project on another host, through a real OpenSSH server on 127.0.0.1
/// (`SSHServer`): the host is this machine and user with its own HOME,
/// PATH, tmux and state, and everything wt does there goes through ssh and
/// the wt installed there.
final class HostPlayground: @unchecked Sendable {
  let local: Playground
  let server: SSHServer
  /// The project's repository on the host, and its bd.
  let repo: String
  let bd = "\(CLITests.root)/Tests/Support/bd"
  var hostTimeout = 20.0
  /// hosts.box1.wt; a test may put a slower one in its place.
  var hostWT = "wt"
  var remoteWorkers = 1
  /// Seconds the host's scripted agent takes to start.
  var remoteAgentDelay = "0.2"

  init(agentDelay: String = "0.2") throws {
    local = try Playground(agentDelay: agentDelay)
    let binaries = (CLITests.binary as NSString).deletingLastPathComponent
    server = try SSHServer(path: [binaries, "\(CLITests.root)/Tests/Support"])
    repo = "\(server.remoteHome)/src/api"
    try FileManager.default.createDirectory(atPath: repo, withIntermediateDirectories: true)
    try "[user]\n\tname = Host\n\temail = host@example.invalid\n"
      .write(toFile: "\(server.remoteHome)/.gitconfig", atomically: true, encoding: .utf8)
    for argv in [["git", "init", "-q", "-b", "main"], ["git", "commit", "-q", "--allow-empty", "-m", "init"], [bd, "init", "-p", "api", "-q"]] {
      try local.sh(argv, in: repo)
    }
    try ".beads/\n".write(toFile: "\(repo)/.gitignore", atomically: true, encoding: .utf8)
    try local.sh(["git", "add", ".gitignore"], in: repo)
    try local.sh(["git", "commit", "-qm", "ignore beads"], in: repo)
    try writeManifest()
  }

  var tmuxSocket: String { "\(server.remoteHome)/tmux.sock" }
  var agentLog: String { "\(server.remoteHome)/agent.log" }
  func worktree(_ bead: String) -> String { "\(server.remoteHome)/wts/api/\(bead)" }

  func writeManifest() throws {
    let support = "\(CLITests.root)/Tests/Support"
    try """
      version: 1
      settings:
        worktree_root: \(local.dir)/worktrees
        admission: {max_load_per_core: 1000, min_free_memory: 1MiB}
      hosts:
        box1:
          ssh: \(server.destination)
          port: \(server.port)
          ssh_config: \(server.configFile)
          timeout: \(hostTimeout)
          wt: \(hostWT)
          state_dir: ~/state
          tmux_socket: \(tmuxSocket)
          worktree_root: ~/wts
          admission: {max_load_per_core: 1000, min_free_memory: 1MiB}
          labels: [test]
      agents:
        fake:
          command: [\(support)/fake-agent]
          ready: '^❯\\u00A0'
          busy: 'esc to interrupt'
          env: {FAKE_AGENT_DELAY: "0.2", FAKE_AGENT_WORK: "0.3", FAKE_AGENT_LOG: "\(local.dir)/agent.log"}
        remote:
          command: [\(support)/fake-agent]
          ready: '^❯\\u00A0'
          busy: 'esc to interrupt'
          env: {FAKE_AGENT_DELAY: "\(remoteAgentDelay)", FAKE_AGENT_WORK: "0.3", FAKE_AGENT_LOG: "\(agentLog)"}
      projects:
        demo:
          path: repo
          agent: fake
        api:
          host: box1
          path: ~/src/api
          agent: remote
          workers: \(remoteWorkers)
      """.write(toFile: "\(local.dir)/wt.yaml", atomically: true, encoding: .utf8)
  }

  /// A bead in the host's repository.
  func bead(_ title: String, description: String = "", priority: Int = 2) throws -> String {
    try local.sh([bd, "create", title, "-d", description, "-p", "\(priority)", "--silent"], in: repo).stdout
      .trimmingCharacters(in: .whitespacesAndNewlines)
  }

  func show(_ id: String) throws -> [String: Any] {
    let out = try local.sh([bd, "show", "--json", "--", id], in: repo).stdout
    return ((try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [[String: Any]])?.first) ?? [:]
  }

  func sessions() throws -> [String] {
    let out = try local.sh(["tmux", "-S", tmuxSocket, "list-sessions", "-F", "#{session_name}"], check: false)
    return out.stdout.split(separator: "\n").map(String.init).sorted()
  }

  /// Every prompt the host's agents took.
  func submissions() -> [[String: Any]] {
    let text = (try? String(contentsOfFile: agentLog, encoding: .utf8)) ?? ""
    return text.split(separator: "\n").compactMap { local.json(String($0)) as? [String: Any] }
  }
}

extension EndToEnd {
  @Suite struct HostsTests {
    /// validate → diff → apply → a worktree and a session on the host → the
    /// agent takes its prompt → its `wt done` merges there → the bead is
    /// closed → the next bead starts; this machine's project runs beside.
    @Test func theWholeLoopRunsOnAHost() throws {
      let h = try HostPlayground()
      let p = h.local
      let steps = [
        Playground.run("touch", "remote-work.txt"), Playground.run("git", "add", "remote-work.txt"),
        Playground.run("git", "commit", "-qm", "remote work"), Playground.run("wt", "done"),
      ].joined(separator: "\n")
      let first = try h.bead("Remote first", description: steps, priority: 1)
      // Text that would run on a shell that read it: it must arrive as text.
      let second = try h.bead("Second $(touch \(h.server.remoteHome)/pwned) `touch \(h.server.remoteHome)/pwned2` ';touch x;'", priority: 2)
      let localBead = try p.bead("Local work")

      let validate = try p.wt("validate", "--hosts")
      #expect(validate.status == 0, "\(validate.stdout)\(validate.stderr)")
      #expect(validate.stdout.contains("on other hosts: box1 (api)"))
      #expect(validate.stdout.contains("── host box1"))

      let diff = try p.wt("diff")
      #expect(diff.status == 0, "\(diff.stderr)")
      #expect(diff.stdout.contains("+ create demo/\(localBead)"))
      #expect(diff.stdout.contains("── host box1 (\(h.server.destination)) ──"))
      #expect(diff.stdout.contains("+ create api/\(first)"))
      let json = p.json(try p.wt("diff", "--json").stdout) as? [String: Any] ?? [:]
      let changes = json["changes"] as? [[String: Any]] ?? []
      #expect(changes.compactMap { $0["host"] as? String } == ["box1"])

      let apply = try p.wt("apply", "--yes")
      #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
      // The agent commits and runs `wt done` (the host's) in its session.
      #expect(try p.wait { (try h.show(first)["status"] as? String) == "closed" }, "\(h.submissions())")
      #expect(try p.wait { !p.exists(h.worktree(first)) })
      #expect(try p.git("log", "--format=%s", "main", in: h.repo).contains("remote work"))
      #expect(p.exists("\(h.repo)/remote-work.txt"))
      #expect(h.submissions().first?["prompt"] as? String ?? "" != "")

      // The next bead, with its hostile title, starts on the next pass.
      let next = try p.wt("apply", "--yes")
      #expect(next.status == 0, "\(next.stdout)\(next.stderr)")
      #expect(try p.wait { h.submissions().count == 2 })
      let prompt = h.submissions().last?["prompt"] as? String ?? ""
      #expect(prompt.contains("$(touch \(h.server.remoteHome)/pwned)"))
      #expect(!p.exists("\(h.server.remoteHome)/pwned") && !p.exists("\(h.server.remoteHome)/pwned2"))

      // One glance: both machines, a HOST column.
      let status = try p.wt("status")
      #expect(status.status == 0, "\(status.stderr)")
      #expect(status.stdout.contains("HOST"))
      let rows = try p.rows("status", "--json")
      #expect(Set(rows.compactMap { $0["bead"] as? String }) == [localBead, second])
      #expect(rows.first { $0["bead"] as? String == second }?["host"] as? String == "box1")
      #expect(rows.first { $0["bead"] as? String == localBead }?["host"] == nil)
      let frame = try p.wt("watch", "--once").stdout
      #expect(frame.contains("box1") && frame.contains("api/\(second)") && frame.contains("demo/\(localBead)"))
      #expect(try p.wt("diff").stdout.contains("No changes"))
    }

    /// `wt auto` works through a host's backlog unattended: the first
    /// bead's agent finishes with `wt done` there, and the host's pass
    /// (waiting there for a change) starts the next bead.
    @Test func autoRunsAHostsBeadsOneAfterAnother() throws {
      let h = try HostPlayground()
      let p = h.local
      let finish = [
        Playground.run("touch", "one.txt"), Playground.run("git", "add", "one.txt"),
        Playground.run("git", "commit", "-qm", "one"), Playground.run("wt", "done"),
      ].joined(separator: "\n")
      let first = try h.bead("One", description: finish, priority: 1)
      let second = try h.bead("Two", priority: 2)
      let auto = try p.background("auto", "--project", "api", "--interval", "60")
      defer {
        auto.terminate()
        auto.waitUntilExit()
      }
      #expect(try p.wait(seconds: 30) { (try h.show(first)["status"] as? String) == "closed" })
      // Well before the 60 s interval: the host's pass woke on the change.
      #expect(try p.wait(seconds: 30) { h.submissions().contains { ($0["prompt"] as? String ?? "").contains(second) } }, "\(p.backgroundLog)")
      #expect(try h.sessions() == ["wt-api__\(second)"])
    }

    /// Commands about one remote worker run by the host's wt: the note is
    /// kept there, read back from here, and `abandon` releases the bead.
    @Test func commandsAboutOneWorkerRunOnItsHost() throws {
      let h = try HostPlayground()
      let p = h.local
      let id = try h.bead("Hand me over")
      #expect(try p.wt("apply", "--yes").status == 0)
      let handoff = try p.wt("handoff", "-m", "half done; see notes.md", "--bead", id)
      #expect(handoff.status == 0, "\(handoff.stderr)")
      #expect(handoff.stdout.contains(h.server.remoteHome))
      let prime = try p.wt("prime", "--bead", "api/\(id)")
      #expect(prime.stdout.contains("half done; see notes.md"), "\(prime.stderr)")
      // A person on the host, in the worktree, from a fresh shell: wt reads
      // the worker's manifest as the host's share, as its agent does.
      let there = try h.server.ssh("cd \(h.worktree(id)) && WT_STATE_DIR=~/state wt validate --offline")
      #expect(there.status == 0, "\(there.stderr)")
      #expect(there.stdout.contains("ok — 1 project (api)") && !there.stdout.contains("other hosts"), "\(there.stdout)")
      let abandon = try p.wt("abandon", id)
      #expect(abandon.status == 0, "\(abandon.stderr)")
      #expect(try h.sessions().isEmpty)
      #expect(try h.show(id)["status"] as? String == "open")
      #expect(p.exists(h.worktree(id)))
    }

    /// A host's worker that is gone (no row anywhere) still has its
    /// history there: `wt seance BEAD` finds it as `PROJECT/BEAD` does.
    @Test func seanceByBeadAloneFindsAFinishedWorkersHost() throws {
      let h = try HostPlayground()
      let p = h.local
      let id = try h.bead("Gone but remembered")
      #expect(try p.wt("apply", "--yes").status == 0)
      #expect(try p.wait { h.submissions().count == 1 })
      let abandon = try p.wt("abandon", id, "--delete")
      #expect(abandon.status == 0, "\(abandon.stderr)")
      #expect(try h.sessions().isEmpty && !p.exists(h.worktree(id)))
      let named = try p.wt("seance", "api/\(id)", "--json")
      #expect(named.status == 0, "\(named.stderr)")
      let bare = try p.wt("seance", id, "--json")
      #expect(bare.status == 0, "\(bare.stderr)")
      let sessions = (p.json(bare.stdout) as? [String: Any])?["sessions"] as? [[String: Any]] ?? []
      #expect(sessions.map { $0["worker"] as? String } == ["api/\(id)"])
      #expect(sessions.first?["end"] as? String == "abandoned")
      #expect(bare.stdout == named.stdout)
      // A bead no machine has heard of is said as such, once.
      let unknown = try p.wt("seance", "api-nothing")
      #expect(unknown.status == 1)
      #expect(unknown.stderr.contains("no recorded sessions of api-nothing here or on box1"), "\(unknown.stderr)")
    }

    /// A worker on the host that calls for a person: the glance here says
    /// so, the status line counts it, and this machine's notify runs once.
    @Test func aRemoteCallForHelpReachesThisMachine() throws {
      let h = try HostPlayground()
      let p = h.local
      let marker = "\(p.dir)/notified"
      let manifest = try String(contentsOfFile: "\(p.dir)/wt.yaml", encoding: .utf8)
        .replacingOccurrences(of: "settings:\n", with: "settings:\n  notify: [sh, -c, 'echo \"$0\" >> \(marker)', '{{worker.name}} {{worker.status}}: {{worker.message}}']\n")
      try manifest.write(toFile: "\(p.dir)/wt.yaml", atomically: true, encoding: .utf8)
      let id = try h.bead("Ask me")
      #expect(try p.wt("apply", "--yes").status == 0)
      // The agent's hook, on the host.
      let signal = try h.server.ssh(
        "cd \(h.worktree(id)) && WT_STATE_DIR=~/state WT_HOST=box1 WT_CONFIG=$(ls ~/state/received/*.yaml) WT_WORKER=api/\(id) wt signal needs-input 'EUR or USD?'")
      #expect(signal.status == 0, "\(signal.stderr)")
      let status = try p.wt("status")
      #expect(status.stdout.contains("needs-input") && status.stdout.contains("EUR or USD?"))
      #expect(try p.wt("status", "--attention").stdout == "wt: 1 needs you\n")
      _ = try p.wt("status")
      #expect(try p.wait(seconds: 5) { p.exists(marker) })
      Thread.sleep(forTimeInterval: 0.5)
      let told = (try? String(contentsOfFile: marker, encoding: .utf8)) ?? ""
      #expect(told == "box1:api/\(id) needs-input: EUR or USD?\n")
    }

    /// The host's sshd gone (listener and every connection): its project is
    /// left alone with a note, this machine's goes on; back, it converges.
    @Test func anUnreachableHostIsLeftAloneAndTheRestGoesOn() throws {
      let h = try HostPlayground()
      let p = h.local
      let remote = try h.bead("Remote")
      let localBead = try p.bead("Local")
      h.server.stop()
      let apply = try p.wt("apply", "--yes")
      #expect(apply.status == 1)
      #expect(apply.stderr.contains("host box1 not reached"), "\(apply.stderr)")
      #expect(apply.stderr.contains("its workers are left alone"))
      #expect(try p.show(localBead)["status"] as? String == "in_progress")
      let status = try p.wt("status")
      #expect(status.status == 1)
      #expect(status.stdout.contains("demo/\(localBead)"))
      #expect(status.stderr.contains("host box1 not reached"))
      // The dashboard says it in the table's place.
      let frame = try p.wt("watch", "--once").stdout
      #expect(frame.contains("demo/\(localBead)") && frame.contains("! host box1 not reached"), "\(frame)")

      try h.server.start()
      #expect(try p.wt("apply", "--yes").status == 0)
      #expect(try h.sessions() == ["wt-api__\(remote)"])
      #expect(try p.wt("diff").stdout.contains("No changes"))
    }

    /// The SSH connection killed while the host applies: the next apply
    /// converges, each bead with one worker and one prompt.
    @Test func aConnectionKilledMidApplyConverges() throws {
      let h = try HostPlayground()
      let p = h.local
      h.remoteAgentDelay = "3"
      h.remoteWorkers = 2
      try h.writeManifest()
      let a = try h.bead("A")
      let b = try h.bead("B")
      let apply = try p.background("apply", "--yes", "--project", "api")
      // Sessions are up and prompts are not yet delivered (the agents take
      // 3 s to start): cut the connection.
      #expect(try p.wait(seconds: 20) { try h.sessions().count == 2 })
      h.server.killConnections()
      apply.waitUntilExit()
      var converged = false
      for _ in 0..<3 where !converged {
        _ = try p.wt("apply", "--yes")
        converged = try p.wt("diff", "--project", "api").stdout.contains("No changes")
      }
      #expect(converged)
      #expect(try h.sessions() == ["wt-api__\(a)", "wt-api__\(b)"].sorted())
      #expect(try p.wait { h.submissions().count == 2 })
      Thread.sleep(forTimeInterval: 1)
      let prompts = h.submissions().compactMap { $0["prompt"] as? String }
      #expect(prompts.filter { $0.contains(a) }.count == 1 && prompts.filter { $0.contains(b) }.count == 1, "\(prompts)")
    }

    /// A host slower than its timeout is bounded by it: noted, left alone,
    /// and this machine's plan is still shown.
    @Test func aSlowHostIsBoundedByItsTimeout() throws {
      let h = try HostPlayground()
      let p = h.local
      let slow = "\(h.server.remoteHome)/slow-wt"
      try "#!/bin/sh\nsleep 30\nexec wt \"$@\"\n".write(toFile: slow, atomically: true, encoding: .utf8)
      chmod(slow, 0o755)
      h.hostTimeout = 2
      h.hostWT = slow
      try h.writeManifest()
      _ = try h.bead("Slow")
      let localBead = try p.bead("Local")
      let started = Date()
      let diff = try p.wt("diff")
      #expect(Date().timeIntervalSince(started) < 25)
      #expect(diff.status == 1)
      #expect(diff.stdout.contains("+ create demo/\(localBead)"))
      #expect(diff.stderr.contains("host box1 not reached: no answer within"), "\(diff.stderr)")
    }

    /// `apply --yes` gives up on a host that stopped answering per the
    /// host's `timeout`, as every other command does, and says so; this
    /// machine's plan is still applied.
    @Test func applyGivesUpOnAHostThatStoppedAnswering() throws {
      let h = try HostPlayground()
      let p = h.local
      h.hostTimeout = 3
      // The host's wt marks that its apply began, then stays a moment:
      // the host is stopped mid-pass, its connection open.
      let marker = "\(h.server.remoteHome)/apply-began"
      let marking = "\(h.server.remoteHome)/marking-wt"
      try "#!/bin/sh\ncase \"$1\" in apply) touch '\(marker)'; sleep 2;; esac\nexec wt \"$@\"\n".write(
        toFile: marking, atomically: true, encoding: .utf8)
      chmod(marking, 0o755)
      h.hostWT = marking
      try h.writeManifest()
      _ = try h.bead("Remote")
      let localBead = try p.bead("Local")
      let apply = try p.background("apply", "--yes")
      defer { if apply.isRunning { apply.terminate() } }
      #expect(try p.wait(seconds: 30) { p.exists(marker) })
      h.server.freeze()
      defer { h.server.thaw() }
      // A deadline for the test, far below the 600 s a pass may take.
      let ended = try p.wait(seconds: 90) { !apply.isRunning }
      #expect(ended, "apply still waits for the stopped host: \(p.backgroundLog)")
      guard ended else { return }
      #expect(apply.terminationStatus == 1)
      #expect(p.backgroundLog.contains("host box1 not reached: no answer within 3.0 seconds"), "\(p.backgroundLog)")
      #expect(p.backgroundLog.contains("+ demo/\(localBead): "), "\(p.backgroundLog)")
    }

    /// In the hub, Enter on a worker on the host opens a window running
    /// `ssh -t … wt attach` there; the dashboard keeps running in its own.
    @Test func enterInTheHubOpensARemoteWorkerInANewWindow() throws {
      let h = try HostPlayground()
      let p = h.local
      let id = try h.bead("Look at me")
      #expect(try p.wt("apply", "--yes").status == 0)
      #expect(try p.wt("hub", "--no-attach").status == 0)
      let tmux = { (args: [String]) in try p.sh(["tmux", "-L", p.socket] + args).stdout.trimmingCharacters(in: .whitespacesAndNewlines) }
      let hubPane = try tmux(["list-panes", "-t", "=wt-hub:", "-F", "#{pane_pid}"])
      let client = try p.attachClient(to: "wt-hub")
      defer { client.terminate() }
      #expect(try p.wait(seconds: 20) { try tmux(["capture-pane", "-p", "-t", "=wt-hub:"]).contains("api/\(id)") })
      #expect(try tmux(["capture-pane", "-p", "-t", "=wt-hub:"]).contains("box1"))
      _ = try tmux(["send-keys", "-t", "=wt-hub:", "Enter"])
      // A second window, running ssh, and a client on the host's session.
      #expect(try p.wait(seconds: 10) { try tmux(["list-windows", "-t", "=wt-hub", "-F", "#{window_index}"]).split(separator: "\n").count == 2 })
      let remoteClients = { try p.sh(["tmux", "-S", h.tmuxSocket, "list-clients", "-F", "#{client_session}"], check: false).stdout }
      #expect(try p.wait(seconds: 15) { try remoteClients().contains("wt-api__\(id)") })
      #expect(try tmux(["list-panes", "-t", "=wt-hub:0", "-F", "#{pane_pid}"]) == hubPane)
    }

    /// A host whose wt is missing, or speaks another protocol, is told
    /// apart and left alone, with what to do.
    @Test func aHostWithoutWtOrWithAnotherProtocolIsToldApart() throws {
      let h = try HostPlayground()
      let p = h.local
      _ = try h.bead("Waiting")
      h.hostWT = "\(h.server.remoteHome)/no-such-wt"
      try h.writeManifest()
      let missing = try p.wt("diff")
      #expect(missing.status == 1)
      #expect(missing.stderr.contains("wt is not installed there"), "\(missing.stderr)")
      #expect(missing.stderr.contains("wt host install box1"))

      let other = "\(h.server.remoteHome)/other-wt"
      try """
        #!/bin/sh
        cat > /dev/null
        echo '{"protocol": 99, "version": "9.9.9", "manifest": "/x", "state_dir": "/x", "os": "Linux", "arch": "x86_64"}'
        """.write(toFile: other, atomically: true, encoding: .utf8)
      chmod(other, 0o755)
      h.hostWT = other
      try h.writeManifest()
      let skewed = try p.wt("status")
      #expect(skewed.status == 1)
      #expect(skewed.stderr.contains("speaks protocol 99"), "\(skewed.stderr)")
    }

    /// `wt host install` refuses a host of another system or processor,
    /// and says what to install instead.
    @Test func hostInstallRefusesAnotherMachine() throws {
      let p = try Playground()
      let fake = "\(p.dir)/fake-bin"
      try FileManager.default.createDirectory(atPath: fake, withIntermediateDirectories: true)
      try "#!/bin/sh\necho 'Darwin arm64'\n".write(toFile: "\(fake)/uname", atomically: true, encoding: .utf8)
      chmod("\(fake)/uname", 0o755)
      let server = try SSHServer(path: [fake])
      try """
        version: 1
        hosts:
          mac: {ssh: \(server.destination), port: \(server.port), ssh_config: \(server.configFile)}
        projects:
          demo: {path: repo}
        """.write(toFile: "\(p.dir)/wt.yaml", atomically: true, encoding: .utf8)
      let install = try p.wt("host", "install", "mac", "--to", "~/bin/wt")
      #expect(install.status == 1)
      #expect(install.stderr.contains("host mac is 'Darwin arm64'"), "\(install.stderr)")
      #expect(install.stderr.contains("build wt on the host"))
      #expect(!p.exists("\(server.remoteHome)/bin/wt"))
    }

    /// `wt host install` with no `--to` puts wt in `~/.local/bin`, which
    /// the account's PATH lacks (as a non-interactive ssh command's on
    /// Debian and Ubuntu), and the next `wt diff` finds it there with no
    /// `wt:` in the manifest.
    @Test func hostInstallIsFoundWithoutWtInTheManifest() throws {
      let p = try Playground()
      let server = try SSHServer(path: ["\(CLITests.root)/Tests/Support"])
      #expect(try server.ssh("command -v wt").status != 0, "wt is already on the account's PATH")
      try """
        version: 1
        hosts:
          box: {ssh: \(server.destination), port: \(server.port), ssh_config: \(server.configFile), state_dir: ~/state}
        projects:
          api: {host: box, path: ~/src/api}
        """.write(toFile: "\(p.dir)/wt.yaml", atomically: true, encoding: .utf8)
      let before = try p.wt("diff")
      #expect(before.stderr.contains("wt is not installed there"), "\(before.stderr)")
      let install = try p.wt("host", "install", "box")
      #expect(install.status == 0, "\(install.stderr)")
      #expect(!install.stdout.contains("Set 'wt:"))
      #expect(FileManager.default.isExecutableFile(atPath: "\(server.remoteHome)/.local/bin/wt"))
      let diff = try p.wt("diff")
      #expect(!diff.stderr.contains("not installed"), "\(diff.stderr)")
      #expect(diff.stdout.contains("── host box"), "\(diff.stdout)\(diff.stderr)")
      let list = try p.rows("host", "list", "--json")
      #expect(list.first?["reachable"] as? Bool == true)
    }

    /// `wt host install` copies this wt to the host when it matches, and
    /// `wt host list` then finds it answering.
    @Test func hostInstallCopiesThisWt() throws {
      let h = try HostPlayground()
      let p = h.local
      let install = try p.wt("host", "install", "box1", "--to", "~/bin/wt")
      #expect(install.status == 0, "\(install.stderr)")
      #expect(install.stdout.contains("Installed wt"))
      #expect(FileManager.default.isExecutableFile(atPath: "\(h.server.remoteHome)/bin/wt"))
      let version = try p.sh(["\(h.server.remoteHome)/bin/wt", "--version"]).stdout
      #expect(try p.wt("--version").stdout == version)
      let list = try p.rows("host", "list", "--json")
      #expect(list.first?["name"] as? String == "box1")
      #expect(list.first?["reachable"] as? Bool == true)
      #expect(list.first?["projects"] as? [String] == ["api"])
    }
  }
}
