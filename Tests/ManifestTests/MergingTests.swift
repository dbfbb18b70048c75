import Foundation
import Testing
@testable import Manifest

@Suite(.timeLimit(.minutes(1))) struct MergingTests {
  @Test func defaultsFillProjectsAndBuiltInsFillTheRest() throws {
    let box = Sandbox()
    box.mkdir("a")
    box.mkdir("b")
    let result = box.load(
      """
      version: 1
      defaults: {workers: 3, on_done: pr}
      projects:
        a: {path: a}
        b: {path: ./b, workers: 1, base: trunk}
      """)
    let m = try #require(result.manifest)
    let a = try #require(m.project(named: "a"))
    let b = try #require(m.project(named: "b"))
    #expect((a.workers, a.onDone, a.base, a.agent) == (3, .pr, "main", "claude"))
    #expect((b.workers, b.onDone, b.base) == (1, .pr, "trunk"))
    #expect(a.path == "\(box.root)/a")
    #expect(m.settings.worktreeRoot == "\(box.root)/.local/share/wt/worktrees")
    #expect(m.projects.map(\.name) == ["a", "b"])
  }

  @Test func userClaudeProfileOverridesFieldByField() throws {
    let box = Sandbox()
    box.mkdir("a")
    let m = try #require(
      box.load("version: 1\nagents:\n  claude: {command: [claude, --model, x]}\nprojects:\n  a: {path: a}\n").manifest)
    let claude = try #require(m.agents["claude"])
    #expect(claude.command == ["claude", "--model", "x"])
    #expect(claude.dialogs == Defaults.claude.dialogs)
    #expect(claude.ready == Defaults.claude.ready)
    #expect(claude.hooks == .claude)
  }

  @Test func repositoryBlockFillsWhatTheUserLeavesOut() throws {
    let box = Sandbox()
    box.write("repo/wt.yaml", "version: 1\nproject:\n  workers: 5\n  base: develop\n  gate: [[make, test]]\n")
    let m = try #require(
      box.load("version: 1\ndefaults: {base: main, on_done: keep}\nprojects:\n  r: {path: repo, workers: 1}\n")
        .manifest)
    let r = try #require(m.project(named: "r"))
    #expect(r.workers == 1)  // the user's entry wins
    #expect(r.base == "develop")  // the repository's block beats defaults
    #expect(r.gate == [["make", "test"]])
    #expect(r.onDone == .keep)  // defaults fill the rest
  }

  @Test func repositoryBlockDiagnosticsNameItsOwnFile() {
    let box = Sandbox()
    box.write("repo/wt.yaml", "version: 1\nproject:\n  path: x\n  workerz: 5\n")
    let result = box.load("version: 1\nprojects:\n  r: {path: repo}\n")
    #expect(result.diagnostics.map(\.file) == ["repo/wt.yaml", "repo/wt.yaml"])
    // A repository's broken file stops its own project, not the manifest.
    let file = "\(box.root)/repo/wt.yaml"
    #expect(
      problems(result) == [
        at(3, 3, .repositoryFileIgnored(path: file, reason: "unknown key 'path' in project")),
        at(4, 3, .repositoryFileIgnored(path: file, reason: "unknown key 'workerz' in project")),
      ])
    #expect(result.manifest?.project(named: "r")?.foreign?.needsTrust == true)
  }

  /// A repository that names who may steer its agents through pull-request
  /// comments is trusted by the person first; its other `pr:` settings are
  /// not commands.
  @Test func aRepositorysTrustedReviewersNeedThePersonsTrust() throws {
    let box = Sandbox()
    box.write("repo/wt.yaml", "version: 1\nproject:\n  pr: {trusted: [mallory]}\n")
    box.write("calm/wt.yaml", "version: 1\nproject:\n  pr: {max_rounds: 5}\n")
    let m = try #require(box.load("version: 1\nprojects:\n  r: {path: repo}\n  c: {path: calm}\n").manifest)
    #expect(m.project(named: "r")?.foreign?.commands == ["pr.trusted: mallory"])
    #expect(m.project(named: "r")?.pr.trusted == ["mallory"])
    #expect(m.project(named: "c")?.foreign == nil)
    #expect(m.project(named: "c")?.pr.maxRounds == 5)
  }

  @Test func aRepositoryFileAloneIsAOneProjectManifest() throws {
    let box = Sandbox()
    let m = try #require(box.load("version: 1\nproject: {workers: 4}\n", file: "myrepo/wt.yaml").manifest)
    #expect(m.projects.map(\.name) == ["myrepo"])
    #expect(m.projects.first?.path == "\(box.root)/myrepo")
    #expect(m.projects.first?.workers == 4)
  }

  @Test func pathsExpandTildeAndResolveAgainstTheManifest() {
    let paths = PathResolver(home: "/home/p", directory: "/etc/wt")
    #expect(paths.resolve("~/code/api") == "/home/p/code/api")
    #expect(paths.resolve("../x") == "/etc/x")
    #expect(paths.resolve("/abs") == "/abs")
    #expect(paths.resolve("~") == "/home/p")
  }

  @Test func discoveryOrder() throws {
    let box = Sandbox()
    box.write("cwd/wt.yaml", "version: 1\n")
    box.write("xdg/wt/wt.yaml", "version: 1\n")
    let cwd = "\(box.root)/cwd"
    var env = ["HOME": box.root, "XDG_CONFIG_HOME": "\(box.root)/xdg", "WT_CONFIG": "/from/env.yaml"]
    #expect(try ManifestLoader(environment: env, currentDirectory: cwd).locate(explicit: "x.yaml") == "\(cwd)/x.yaml")
    #expect(try ManifestLoader(environment: env, currentDirectory: cwd).locate(explicit: nil) == "/from/env.yaml")
    env["WT_CONFIG"] = nil
    #expect(try ManifestLoader(environment: env, currentDirectory: cwd).locate(explicit: nil) == "\(cwd)/wt.yaml")
    #expect(
      try ManifestLoader(environment: env, currentDirectory: box.root).locate(explicit: nil)
        == "\(box.root)/xdg/wt/wt.yaml")
    env["XDG_CONFIG_HOME"] = "\(box.root)/none"
    #expect(throws: ManifestNotFound.self) {
      try ManifestLoader(environment: env, currentDirectory: box.root).locate(explicit: nil)
    }
  }

  /// A ./wt.yaml in a folder no git repository holds, the person's alone,
  /// is theirs (named); in a work tree, below one, through a link into
  /// one, or writable by others, it is not.
  @Test func aFileInNoRepositoryIsThePersons() throws {
    let box = Sandbox()
    let env = ["HOME": box.root, "XDG_CONFIG_HOME": "\(box.root)/xdg"]
    func found(_ folder: String) throws -> ManifestLoader.Found {
      try ManifestLoader(environment: env, currentDirectory: "\(box.root)/\(folder)").find(explicit: nil)
    }
    box.write("mine/wt.yaml", "version: 1\n")
    #expect(try found("mine").named)
    #expect(try found("mine").why.contains("yours"))

    box.write("clone/wt.yaml", "version: 1\n")
    box.mkdir("clone/.git")
    #expect(try !found("clone").named)
    box.write("clone/sub/wt.yaml", "version: 1\n")
    #expect(try !found("clone/sub").named)
    // A linked worktree or submodule has a .git file.
    box.write("linked/.git", "gitdir: /elsewhere\n")
    box.write("linked/wt.yaml", "version: 1\n")
    #expect(try !found("linked").named)

    box.mkdir("link")
    try FileManager.default.createSymbolicLink(atPath: "\(box.root)/link/wt.yaml", withDestinationPath: "\(box.root)/clone/wt.yaml")
    #expect(try !found("link").named)

    box.write("shared/wt.yaml", "version: 1\n")
    chmod("\(box.root)/shared/wt.yaml", 0o664)
    #expect(try !found("shared").named)
    chmod("\(box.root)/shared/wt.yaml", 0o644)
    #expect(try found("shared").named)

    // The person's config folder is theirs even in a dotfiles repository.
    box.write("xdg/wt/wt.yaml", "version: 1\n")
    box.mkdir("xdg/.git")
    #expect(try found("xdg/wt").named)
  }

  @Test func sizesAndSockets() throws {
    #expect(NodeReader.parseSize("2GiB") == 2 << 30)
    #expect(NodeReader.parseSize("512MiB") == 512 << 20)
    #expect(NodeReader.parseSize("1.5G") == 3 << 29)
    #expect(NodeReader.parseSize("100") == 100)
    #expect(NodeReader.parseSize("2 parsecs") == nil)
    let box = Sandbox()
    box.mkdir("a")
    let m = try #require(
      box.load("version: 1\nsettings: {tmux_socket: ./sock}\nprojects: {a: {path: a}}\n").manifest)
    #expect(m.settings.tmuxSocket == .path("\(box.root)/sock"))
  }

  @Test func templatesRenderFieldsAsPlainText() throws {
    let t = try Template("Do {{bead.id}}: {{ bead.title }}!")
    #expect(t.render(["bead.id": "x-1", "bead.title": "$(touch pwned); rm -rf ~"]) == "Do x-1: $(touch pwned); rm -rf ~!")
    #expect(throws: Template.ParseError.unclosed) { try Template("{{bead.id") }
  }
}
