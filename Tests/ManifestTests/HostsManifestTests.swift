import Testing
@testable import Manifest

/// `hosts:` and `host:`: how this machine sees a project on another host,
/// how that host's wt sees the same file, and every mistake at its place.
@Suite(.timeLimit(.minutes(1))) struct HostsManifestTests {
  static let manifest = """
    version: 1
    settings:
      max_workers: 2
      tmux_socket: laptop
      notify: [notify-send, "{{worker.name}}"]
    hosts:
      box1:
        ssh: dev@box1.example.com
        port: 2222
        identity: ~/.ssh/box1
        ssh_options: [ServerAliveInterval=10, StrictHostKeyChecking=yes]
        max_workers: 8
        worktree_root: ~/wt
        tmux_socket: wt
        state_dir: ~/state
        labels: [big]
    projects:
      web:
        path: web
      api:
        host: box1
        path: ~/src/api
        workers: 3
      tools:
        host: local
        path: tools
    """

  @Test func thisMachinePlansOnlyItsOwnProjects() throws {
    let box = Sandbox()
    box.mkdir("web")
    box.mkdir("tools")
    let result = box.load(Self.manifest)
    #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
    let m = try #require(result.manifest)
    #expect(m.projects.map(\.name) == ["web", "tools"])
    #expect(m.remoteProjects == [RemoteProject(name: "api", host: "box1", path: "~/src/api")])
    let host = try #require(m.host(named: "box1"))
    #expect(host.ssh == "dev@box1.example.com")
    #expect(host.port == 2222)
    // A key is a file here; paths on the host stay as written for its wt.
    #expect(host.identity == "\(box.root)/.ssh/box1")
    #expect(host.worktreeRoot == "~/wt")
    #expect(host.stateDir == "~/state")
    #expect(host.sshOptions == ["ServerAliveInterval=10", "StrictHostKeyChecking=yes"])
    #expect(m.settings.maxWorkers == 2)
    #expect(m.perspective == nil)
    #expect(m.projectsByHost.map(\.host.name) == ["box1"])
  }

  @Test func theHostSeesItsProjectsWithItsOwnSettings() throws {
    let box = Sandbox()
    box.mkdir("hosthome/src/api")
    let loader = ManifestLoader(environment: ["HOME": "\(box.root)/hosthome", "WT_HOST": "box1"], currentDirectory: box.root)
    let result = loader.load(file: box.write("received/copy.yaml", Self.manifest))
    #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
    let m = try #require(result.manifest)
    #expect(m.perspective == "box1")
    #expect(m.projects.map(\.name) == ["api"])
    #expect(m.projects.first?.path == "\(box.root)/hosthome/src/api")
    #expect(m.projects.first?.workers == 3)
    #expect(m.remoteProjects.isEmpty)
    #expect(m.settings.maxWorkers == 8)
    #expect(m.settings.worktreeRoot == "\(box.root)/hosthome/wt")
    #expect(m.settings.tmuxSocket == .named("wt"))
    // The laptop's admission and notify are the laptop's.
    #expect(m.settings.admission == Admission())
    #expect(m.settings.notify.isEmpty)
  }

  @Test func aHostNotInTheFileIsAnError() {
    let box = Sandbox()
    let loader = ManifestLoader(environment: ["HOME": box.root, "WT_HOST": "box9"], currentDirectory: box.root)
    let result = loader.load(file: box.write("wt.yaml", Self.manifest))
    #expect(result.manifest == nil)
    #expect(problems(result).contains(at(1, 1, .notThisHost("box9"))))
  }

  /// `wt` is the program `env` runs on the host: a word with '=' would be
  /// one more variable (wt crashed making the command), so it is refused.
  @Test func wtOnTheHostIsAProgramNotAVariable() {
    for value in ["A=b", "~/bin/x=y", "''"] {
      let result = Sandbox().load(
        """
        version: 1
        hosts:
          box1: {ssh: dev@box1, wt: \(value)}
        projects:
          api: {host: box1, path: ~/api}
        """)
      #expect(result.manifest == nil, "\(value)")
    }
  }

  @Test func mistakesAreReportedWhereTheyAre() {
    let box = Sandbox()
    let result = box.load(
      """
      version: 1
      hosts:
        local: {ssh: me@here}
        box1:
          ssh: -oProxyCommand=touch
          ssh_options: [ProxyCommand=sh -c 'touch /tmp/x', ServerAliveInterval=5]
          worktree_root: wt
          wt: bin/wt
        box2: {port: 22}
      projects:
        api:
          host: box3
          path: ~/api
        web:
          host: box1
          path: src/web
      """)
    #expect(result.manifest == nil)
    #expect(
      problems(result) == [
        at(3, 3, .invalidName("local", what: "host")),
        at(5, 10, .invalidDestination("-oProxyCommand=touch")),
        at(6, 18, .unsafeSSHOption("ProxyCommand=sh -c 'touch /tmp/x'")),
        at(7, 20, .hostPath(key: "worktree_root", path: "wt", host: "box1")),
        at(8, 9, .hostPath(key: "wt", path: "bin/wt", host: "box1")),
        at(9, 3, .missingKey("ssh", in: "host 'box2'")),
        at(12, 11, .unknownHost("box3", known: ["local", "box1"])),
        at(16, 11, .hostPath(key: "path", path: "src/web", host: "box1")),
      ])
  }

  @Test func aRepositoryCannotChooseWhereItRuns() {
    let box = Sandbox()
    box.write("repo/wt.yaml", "version: 1\nproject:\n  host: box1\n  workers: 1\n")
    let result = box.loader.load(file: "\(box.root)/repo/wt.yaml")
    #expect(problems(result).contains(at(3, 3, .unknownKey("host", in: "project", suggestion: nil))))
  }

  /// A `./wt.yaml` wt found by itself could name any host: ssh would run
  /// with the person's keys, so the hosts are among what needs trust.
  @Test func hostsInAFoundFileWaitForTrust() throws {
    let box = Sandbox()
    box.mkdir("web")
    box.mkdir("tools")
    let file = box.write("wt.yaml", Self.manifest)
    let m = try #require(box.loader.load(file: file, named: false).manifest)
    let commands = try #require(m.foreign?.commands)
    #expect(commands.contains("host box1: ssh dev@box1.example.com"))
    #expect(commands.contains("project api on host box1: ~/src/api"))
  }
}
