import Foundation
import Testing
import TestSupport

extension EndToEnd {
  /// A bubblewrap worker with `network: {allow: [localhost]}` (docs/sandbox.md,
  /// "Network"), with the real bwrap, tinyproxy and socat, the fake agent and
  /// the bd double: it fetches from the allowed host through its proxy, is
  /// refused (403) any other, cannot go around the proxy, still commits and
  /// merges; and its proxy ends with it.
  @Suite(.serialized) struct SandboxProxyCLITests {
    static var tools: Bool { SandboxProcesses.proxyTools }

    static func processes(in folder: String) -> [String] { SandboxProcesses.processes(in: folder) }

    func pane(_ p: Playground, _ bead: String) throws -> String {
      try p.sh(["tmux", "-L", p.socket, "capture-pane", "-p", "-J", "-t", "=wt-demo__\(bead):"], check: false).stdout
    }

    @Test(.enabled(if: tools)) func theAllowedHostIsReachedTheRestRefusedAndTheWorkMerges() async throws {
      let p = try SandboxTests.playground(network: "{allow: [localhost]}", workers: 1)
      let server = try LocalHTTPServer()
      let refused = [
        Playground.run("curl", "-sS", "-f", "-m", "10", "http://example.com/"),
        Playground.run("curl", "-sS", "-m", "10", "https://example.com.evil.net/"),
        Playground.run("curl", "-sS", "-m", "5", "--noproxy", "*", "http://127.0.0.1:\(server.port)/"),
        Playground.run("python3", "-c", "import socket; socket.create_connection(('10.255.255.1', 80), 3)"),
      ]
      let id = try p.bead("proxied", description: refused.joined(separator: "\n") + "\n" + [
        Playground.run("curl", "-sS", "-f", "-m", "10", "-o", "fetched.txt", "http://localhost:\(server.port)/"),
        Playground.run("git", "add", "fetched.txt"),
        Playground.run("git", "commit", "-qm", "fetched through the proxy"),
        Playground.run("wt", "signal", "needs-input", "fetched it"),
      ].joined(separator: "\n"))
      let diff = try p.wt("diff")
      #expect(diff.stdout.contains("Sandbox of demo/\(id): bwrap, network allow localhost"), "\(diff.stdout)")
      #expect(diff.stdout.contains("  proxy: tinyproxy outside allows localhost and refuses any other host (403)"), "\(diff.stdout)")
      #expect(try p.wt("validate").status == 0)
      let apply = try p.wt("apply", "--yes")
      #expect(apply.status == 0, "\(apply.stderr)")
      let screen = { try self.pane(p, id) }
      #expect(try p.wait(seconds: 60) { try screen().contains("fetched it") || screen().components(separatedBy: "● ran").count > 8 })
      let shown = try screen()
      SandboxTests.expectEachRefused(refused, on: shown)
      // The proxy's refusals, as the agent sees them.
      #expect(shown.contains("The requested URL returned error: 403"), "\(shown)")
      #expect(shown.contains("CONNECT tunnel failed, response 403"), "\(shown)")
      // Around it: the sandbox's own loopback, and no route anywhere else.
      #expect(shown.contains("Connection refused") || shown.contains("Couldn't connect"), "\(shown)")
      #expect(shown.contains("Network is unreachable"), "\(shown)")
      #expect(server.served == 1)
      let own = "\(p.dir)/state/sandbox/wt-demo__\(id)"
      #expect(try String(contentsOfFile: "\(own)/proxy/tinyproxy.log", encoding: .utf8).contains("filtered domain \"example.com\""))
      try p.sh(["tmux", "-L", p.socket, "send-keys", "-t", "=wt-demo__\(id):", "-l", Playground.run("wt", "done")])
      try p.sh(["tmux", "-L", p.socket, "send-keys", "-t", "=wt-demo__\(id):", "Enter"])
      let closed = try p.wait(seconds: 60) { (try p.show(id))["status"] as? String == "closed" }
      #expect(closed, "\((try? screen()) ?? "")")
      #expect(try p.git("show", "main:fetched.txt") == server.body)
      // Nothing of its proxy is left once the worker is gone.
      #expect(try p.wait(seconds: 20) { Self.processes(in: own).isEmpty }, "\(Self.processes(in: own))")
    }

    /// The pane's wt killed outright (no `stop`): the jails' bwrap ends
    /// their proxy with it.
    @Test(.enabled(if: tools)) func aKilledPanesWtTakesItsProxyWithIt() throws {
      let own = "/tmp/wt-px-\(UUID().uuidString.prefix(6))"
      defer { try? FileManager.default.removeItem(atPath: own) }
      try FileManager.default.createDirectory(atPath: "\(own)/run", withIntermediateDirectories: true)
      let wt = CLITests.binary
      let owner = Process()
      owner.executableURL = URL(fileURLWithPath: wt)
      owner.arguments = [
        "sandbox-exec", "--worker", "demo/x", "--socket", "\(own)/run/wt.sock", "--directory", own, "--proxy-folder", "\(own)/proxy",
        "--allow", "localhost", "--", "/usr/bin/bwrap", "--die-with-parent", "--ro-bind", "/", "/", "--bind", own, own, "--",
        "/bin/sh", "-c", "echo started > \(own)/started; exec sleep 60",
      ]
      owner.standardInput = FileHandle.nullDevice
      owner.standardOutput = FileHandle.nullDevice
      owner.standardError = FileHandle.nullDevice
      try owner.run()
      let deadline = Date().addingTimeInterval(20)
      while !FileManager.default.fileExists(atPath: "\(own)/started") && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
      #expect(FileManager.default.fileExists(atPath: "\(own)/started"))
      #expect(Self.processes(in: own).count >= 3)
      kill(owner.processIdentifier, SIGKILL)
      owner.waitUntilExit()
      var left = Self.processes(in: own)
      while !left.isEmpty && Date() < deadline.addingTimeInterval(10) {
        Thread.sleep(forTimeInterval: 0.05)
        left = Self.processes(in: own)
      }
      #expect(left == [], "\(left)")
    }

    /// `setup` and the gate run the repository's code in the sandbox, with
    /// the same allow list: each reaches the allowed host through a proxy
    /// of its own, is refused another, and leaves no proxy behind.
    @Test(.enabled(if: tools)) func setupAndTheGateGoThroughTheProxyToo() async throws {
      let p = try SandboxTests.playground(network: "{allow: [localhost]}", workers: 1)
      let server = try LocalHTTPServer()
      let logs = try #require(
        try String(contentsOfFile: "\(p.dir)/wt.yaml", encoding: .utf8).firstMatch(of: /read_write: \[([^\],]+)\]/)?.1).description
      // Each fetches the allowed host and tries another; what happened goes
      // where the sandbox may write.
      let fetch = { (name: String) in
        "curl -sS -f -m 10 http://localhost:\(server.port)/ > /dev/null && echo \(name) fetched >> \(logs)/fetch.txt; "
          + "curl -sS -f -m 10 http://example.com/ > /dev/null 2>> \(logs)/fetch.txt || echo \(name) refused >> \(logs)/fetch.txt"
      }
      try p.editManifest {
        $0.replacingOccurrences(
          of: "    gate: []\n",
          with: "    gate: [[sh, -c, \(SandboxCommandsTests.yamlQuoted(fetch("gate")))]]\n    setup: [[sh, -c, \(SandboxCommandsTests.yamlQuoted(fetch("setup")))]]\n")
      }
      let id = try p.bead(
        "gated",
        description: [
          Playground.run("sh", "-c", "echo work > work.txt"), Playground.run("git", "add", "work.txt"),
          Playground.run("git", "commit", "-qm", "work"), Playground.run("wt", "done"),
        ].joined(separator: "\n"))
      let apply = try p.wt("apply", "--yes")
      #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
      let closed = try p.wait(seconds: 90) { (try p.show(id))["status"] as? String == "closed" }
      let fetched = (try? String(contentsOfFile: "\(logs)/fetch.txt", encoding: .utf8)) ?? ""
      #expect(closed, "\(fetched)\n\((try? p.wt("queue").stdout) ?? "")\n\((try? self.pane(p, id)) ?? "")")
      for name in ["setup", "gate"] {
        #expect(fetched.contains("\(name) fetched") && fetched.contains("\(name) refused"), "\(fetched)")
      }
      #expect(fetched.contains("The requested URL returned error: 403"), "\(fetched)")
      // Setup in the worker's sandbox, then setup and the gate in the gate's.
      #expect(server.served == 3)
      #expect(try p.wait(seconds: 20) { Self.processes(in: p.dir + "/").filter { !$0.isEmpty }.isEmpty }, "\(Self.processes(in: p.dir + "/"))")
    }

    /// `tmux kill-session` (a hang-up for the pane's wt): the proxy ends
    /// with the worker.
    @Test(.enabled(if: tools)) func aKilledSessionLeavesNoProxyBehind() async throws {
      let p = try SandboxTests.playground(network: "{allow: [example.com]}", workers: 1)
      let id = try p.bead("idle", description: "nothing to do")
      #expect(try p.wt("apply", "--yes").status == 0)
      let own = "\(p.dir)/state/sandbox/wt-demo__\(id)"
      // The pane's wt, the proxy's two jails and the sandbox.
      #expect(try p.wait(seconds: 30) { Self.processes(in: own).count >= 4 && p.exists("\(own)/run/proxy.sock") })
      try p.sh(["tmux", "-L", p.socket, "kill-session", "-t", "=wt-demo__\(id)"])
      #expect(try p.wait(seconds: 20) { Self.processes(in: own).isEmpty }, "\(Self.processes(in: own))")
    }
  }
}

extension EndToEnd {
  /// The real Claude Code in bubblewrap with `network: {allow: [localhost]}`:
  /// the Messages-API stand-in on this machine's loopback is reached only
  /// through the worker's proxy (its base URL names `localhost`, which the
  /// allow list sends through the proxy), and its Bash tool is refused
  /// another host.
  @Suite(.tags(.realAgent), .timeLimit(.minutes(5))) struct ClaudeProxyTests {
    @Test(.enabled(if: SandboxProxyCLITests.tools)) func claudeTakesItsPromptThroughTheProxy() throws {
      let rig = try ClaudeRig()
      let p = rig.playground
      try p.editManifest {
        $0.replacingOccurrences(of: "    on_done: merge\n", with: "    on_done: merge\n    sandbox: {runtime: bwrap, network: {allow: [localhost]}}\n")
          .replacingOccurrences(of: "ANTHROPIC_BASE_URL: \"http://127.0.0.1:", with: "ANTHROPIC_BASE_URL: \"http://localhost:")
      }
      let id = try p.bead(
        "Write a",
        description: """
          RUN: curl -sS -f -m 10 http://example.com/ ; echo a > a.txt
          RUN: git add a.txt && git commit -qm 'add a.txt'
          RUN: wt done
          """)
      let apply = try p.wt("apply", "--yes")
      #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
      let closed = try p.wait(seconds: 150) { (try p.show(id)["status"] as? String) == "closed" }
      let screen = try p.sh(["tmux", "-L", p.socket, "capture-pane", "-p", "-t", "=wt-demo__\(id):"], check: false).stdout
      let own = "\(p.dir)/state/sandbox/wt-demo__\(id)"
      let log = (try? String(contentsOfFile: "\(own)/proxy/tinyproxy.log", encoding: .utf8)) ?? ""
      #expect(closed, "\(screen)\n\(rig.requests.suffix(3000))\n\(log)")
      #expect(try p.git("show", "main:a.txt") == "a\n")
      // Its prompt came through the proxy: the stand-in saw it, and the
      // Bash tool's curl was refused with the proxy's 403.
      #expect(rig.requests.contains("# Bead \(id): Write a"))
      #expect(rig.requests.contains("The requested URL returned error: 403"), "\(rig.requests.suffix(3000))")
      #expect(try p.claimedWithoutWorker().isEmpty)
    }
  }
}

extension PodmanSandboxTests {
  /// The same allow list in a podman container (its network `none`, the
  /// bridge the image's socat): the allowed host through the proxy, 403
  /// for another, nothing around it; and the proxy ends with the worker.
  @Test(.enabled(if: podman && SandboxProxyCLITests.tools)) func anAllowListWorksInAContainerToo() throws {
    let p = try Self.playground(network: "{allow: [localhost]}", workers: 1)
    defer { Self.removeContainers(p) }
    let server = try LocalHTTPServer()
    func python(_ code: String) -> String { Playground.run("python3", "-c", "import socket, urllib.request; " + code) }
    let refused = [
      python("urllib.request.urlopen('http://example.com/', timeout=10)"),
      python("urllib.request.urlopen('https://example.com.evil.net/', timeout=10)"),
      python("socket.create_connection(('127.0.0.1', \(server.port)), 3)"),
      python("socket.create_connection(('10.255.255.1', 80), 3)"),
    ]
    let id = try p.bead("proxied", description: refused.joined(separator: "\n") + "\n" + [
      python("open('fetched.txt', 'wb').write(urllib.request.urlopen('http://localhost:\(server.port)/', timeout=10).read())"),
      Playground.run("git", "add", "fetched.txt"),
      Playground.run("git", "commit", "-qm", "fetched through the proxy"),
      Playground.run("wt", "signal", "needs-input", "fetched it"),
    ].joined(separator: "\n"))
    let apply = try p.wt("apply", "--yes")
    #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
    let screen = { try SandboxTests.pane(p, id) }
    #expect(try p.wait(seconds: 90) { try screen().contains("fetched it") || screen().components(separatedBy: "● ran").count > 8 })
    let shown = try screen()
    SandboxTests.expectEachRefused(refused, on: shown)
    #expect(shown.contains("HTTP Error 403: Filtered"), "\(shown)")
    #expect(shown.contains("Tunnel connection failed: 403"), "\(shown)")
    #expect(shown.contains("Connection refused"), "\(shown)")
    #expect(shown.contains("Network is unreachable"), "\(shown)")
    #expect(server.served == 1)
    try p.sh(["tmux", "-L", p.socket, "send-keys", "-t", "=wt-demo__\(id):", "-l", Playground.run("wt", "done")])
    try p.sh(["tmux", "-L", p.socket, "send-keys", "-t", "=wt-demo__\(id):", "Enter"])
    #expect(try p.wait(seconds: 60) { (try p.show(id))["status"] as? String == "closed" }, "\((try? screen()) ?? "")")
    #expect(try p.git("show", "main:fetched.txt") == server.body)
    let own = "\(p.dir)/state/sandbox/wt-demo__\(id)"
    #expect(try p.wait(seconds: 30) { SandboxProxyCLITests.processes(in: own).isEmpty }, "\(SandboxProxyCLITests.processes(in: own))")
  }
}
