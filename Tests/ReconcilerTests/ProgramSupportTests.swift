import Foundation
import Manifest
import Testing
import TestSupport
@testable import Reconciler

/// What an interpreted agent needs inside its sandbox (`ProgramSupport`),
/// derived from files made here: a venv script whose python links into a
/// version folder (Aider), an `env node` script in an npm prefix behind a
/// version manager's shim (codex, gemini), and the person's home never
/// shown whole. Then the real Aider starting in bubblewrap with what was
/// derived for it.
@Suite(.timeLimit(.minutes(2))) struct ProgramSupportTests {
  final class Tree {
    let root: String
    init() throws {
      root = FileManager.default.temporaryDirectory.appendingPathComponent("wt-prog-\(UUID().uuidString.prefix(6))").path
      try FileManager.default.createDirectory(atPath: "\(root)/home", withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(atPath: root) }

    func file(_ path: String, _ text: String, executable: Bool = true) throws {
      let full = "\(root)/\(path)"
      try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
      try text.write(toFile: full, atomically: true, encoding: .utf8)
      if executable { try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: full) }
    }

    func link(_ path: String, to target: String) throws {
      let full = "\(root)/\(path)"
      try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
      try FileManager.default.createSymbolicLink(atPath: full, withDestinationPath: target)
    }

    func parts(_ program: String, path: String = "/usr/bin:/bin") -> [String: String] {
      let parts = ProgramSupport.parts(of: "\(root)/\(program)", path: path, home: "\(root)/home")
      return Dictionary(parts.map { ($0.path.replacingOccurrences(of: root, with: "R"), $0.purpose) }) { a, _ in a }
    }
  }

  @Test func aVenvScriptGetsItsVenvItsInterpreterAndTheInterpretersInstallation() throws {
    let t = try Tree()
    // pyenv's layout: versions/3.11.7/bin/python3 -> python3.11 (a binary).
    try t.file("pyenv/versions/3.11.7/bin/python3.11", "\u{7F}ELF")
    try t.link("pyenv/versions/3.11.7/bin/python3", to: "python3.11")
    try t.file("venv/pyvenv.cfg", "home = \(t.root)/pyenv/versions/3.11.7/bin\nversion = 3.11.7\n", executable: false)
    try t.link("venv/bin/python3", to: "\(t.root)/pyenv/versions/3.11.7/bin/python3")
    try t.file("venv/bin/aider", "#!\(t.root)/venv/bin/python3\nimport aider\n")
    let parts = t.parts("venv/bin/aider")
    #expect(parts["R/venv"] == "the Python environment of aider")
    #expect(parts["R/venv/bin/python3"] == "the interpreter of aider")
    #expect(parts["R/pyenv/versions/3.11.7/bin/python3.11"] == "the interpreter of aider (python3, its links followed)")
    #expect(parts["R/pyenv/versions/3.11.7"] == "the installation of aider's Python")
    #expect(parts.count == 4, "\(parts)")
    // Named through a link to the script (uv's ~/.local/bin/aider), the
    // same parts.
    try t.link("home/.local/bin/aider", to: "\(t.root)/venv/bin/aider")
    #expect(Set(t.parts("home/.local/bin/aider").keys) == Set(parts.keys))
  }

  @Test func anEnvNodeScriptGetsTheNodeOnPathPastAShimAndItsPackages() throws {
    let t = try Tree()
    try t.file("npm/lib/node_modules/@openai/codex/bin/codex.js", "#!/usr/bin/env node\nimport('x')\n")
    try t.link("npm/bin/codex", to: "../lib/node_modules/@openai/codex/bin/codex.js")
    try t.file("nvm/versions/node/v20/bin/node", "\u{7F}ELF")
    // A version manager's shim comes first on PATH: a shell script that
    // picks the interpreter when it runs.
    try t.file("shims/node", "#!/usr/bin/env bash\nexec \"$(manager which node)\" \"$@\"\n")
    let parts = t.parts("npm/bin/codex", path: "\(t.root)/shims:\(t.root)/nvm/versions/node/v20/bin:/usr/bin")
    #expect(parts["R/npm/lib/node_modules"] == "the node packages of codex")
    #expect(parts["R/nvm/versions/node/v20/bin/node"] == "the interpreter of codex")
    #expect(parts["R/nvm/versions/node/v20"] == "the installation of node")
    #expect(parts.keys.allSatisfy { !$0.contains("shims") }, "\(parts)")
    // `env -S` and assignments before the name.
    try t.file("tools/gem", "#!/usr/bin/env -S NODE_OPTIONS=--x node --flag\n")
    #expect(t.parts("tools/gem", path: "\(t.root)/nvm/versions/node/v20/bin")["R/nvm/versions/node/v20/bin/node"] != nil)
    // Nothing to add for a binary, or a script of the system's.
    try t.file("bin/native", "\u{7F}ELF")
    #expect(t.parts("bin/native").isEmpty)
    try t.file("bin/tool", "#!/usr/bin/python3\n")
    // (shown by the system's folders: the layout leaves them out)
    #expect(t.parts("bin/tool").keys.contains("/usr/bin/python3"))
    #expect(t.parts("bin/tool").keys.allSatisfy { SandboxLayout.isSystem($0) }, "\(t.parts("bin/tool"))")
  }

  @Test func theHomeIsNeverShownWholeNorAFolderRightUnderIt() throws {
    let t = try Tree()
    // An interpreter installed straight into ~/.local: only its lib.
    try t.file("home/.local/bin/python3", "\u{7F}ELF")
    try t.file("home/tool", "#!\(t.root)/home/.local/bin/python3\n")
    let parts = t.parts("home/tool")
    #expect(parts["R/home/.local/lib"] == "the libraries of python3's installation")
    #expect(parts["R/home/.local"] == nil)
    // A venv whose base interpreter sits in the home's own bin: the venv,
    // never the home.
    try t.file("home/bin/python3", "\u{7F}ELF")
    try t.file("home/venv/pyvenv.cfg", "home = \(t.root)/home/bin\n", executable: false)
    try t.file("home/venv/bin/agent", "#!\(t.root)/home/bin/python3\n")
    let venv = t.parts("home/venv/bin/agent")
    #expect(venv["R/home/venv"] != nil)
    #expect(!venv.keys.contains("R/home") && !venv.keys.contains("R") && !venv.keys.contains("/"), "\(venv)")
    #expect(!ProgramSupport.allowed("/", home: "/home/me") && !ProgramSupport.allowed("/home", home: "/home/me"))
    #expect(!ProgramSupport.allowed("/home/me/", home: "/home/me/") && !ProgramSupport.allowed("/home/me/x/../..", home: "/home/me"))
  }

  @Test func theLayoutShowsEachPartReadOnlyOnceWithItsPurpose() {
    var worker = SandboxLayoutTests.worker
    worker.programs = ["/opt/venv/bin/aider", "/usr/bin/git"]
    worker.support = [
      .init(path: "/opt/venv", purpose: "the Python environment of aider"),
      .init(path: "/opt/venv/bin/python3", purpose: "the interpreter of aider"),
      .init(path: "/usr/bin/python3.11", purpose: "the interpreter of aider (python3, its links followed)"),
    ]
    let layout = SandboxLayout.derive(worker, sandbox: Sandbox(runtime: .bwrap))
    let shown = layout.mounts.filter { $0.purpose != "system" }.map(\.target)
    #expect(shown.contains("/opt/venv"))
    #expect(!shown.contains("/opt/venv/bin/aider") && !shown.contains("/opt/venv/bin/python3") && !shown.contains("/usr/bin/python3.11"))
    #expect(layout.mounts.first { $0.target == "/opt/venv" }?.access == .readOnly)
    #expect(layout.mounts.first { $0.target == "/opt/venv" }?.purpose == "the Python environment of aider")
  }

  /// A program named through a link (`~/.local/bin/aider`, an npm
  /// prefix's `bin/codex`) is a link inside too, unless a mount shows it.
  @Test func whereAProgramIsNamedItIsALinkInside() {
    var worker = SandboxLayoutTests.worker
    worker.programs = ["/opt/venv/bin/aider"]
    worker.support = [.init(path: "/opt/venv", purpose: "the Python environment of aider")]
    worker.links = ["/home/me/.local/bin/aider": "/opt/venv/bin/aider", "/opt/venv/bin/a2": "/opt/venv/bin/aider", "/usr/bin/x": "/opt/x"]
    let layout = SandboxLayout.derive(worker, sandbox: Sandbox(runtime: .bwrap))
    #expect(layout.links == [.init(path: "/home/me/.local/bin/aider", target: "/opt/venv/bin/aider")])
    let argv = Bubblewrap().arguments(layout, command: ["aider"], kind: { _ in .missing }).joined(separator: " ")
    #expect(argv.contains("--symlink /opt/venv/bin/aider /home/me/.local/bin/aider"))
    #expect(!argv.contains("--ro-bind /home/me/.local/bin/aider"))
    // Seatbelt cannot make one: the link itself is read where it is.
    #expect(SandboxExec.profile(layout).parameters.contains { $0.name.hasPrefix("R") && $0.path == "/home/me/.local/bin/aider" })
  }
}

/// The real Aider (`.venv/aider`, scripts/install-deps --tests) started in
/// bubblewrap with the layout a worker gets: with what `ProgramSupport`
/// derives it runs; with only its script, as before, it cannot.
@Suite(.timeLimit(.minutes(2))) struct InterpretedAgentInBubblewrapTests {
  static var aider: String { "\(packageRoot)/.venv/aider/bin/aider" }
  static var ready: Bool { SandboxGitTests.bwrap && FileManager.default.isExecutableFile(atPath: aider) }

  /// `program` run in bubblewrap with the layout of a worker made under
  /// `root`, given `support`.
  static func run(_ program: String, _ args: [String], support: [ProgramSupport.Part], root: String) throws -> ChildOutput {
    let repo = "\(root)/repo", tree = "\(root)/trees/b1", own = "\(root)/state/b1"
    // As World.sandboxedWorker gives it: the real file, and a link where
    // it is named.
    let real = URL(fileURLWithPath: program).resolvingSymlinksInPath().path
    if !FileManager.default.fileExists(atPath: tree) {
      try FileManager.default.createDirectory(atPath: repo, withIntermediateDirectories: true)
      for args in [["init", "-q", "-b", "main"], ["commit", "-q", "--allow-empty", "-m", "init"], ["worktree", "add", "-q", "-b", "wt/b1", tree]] {
        let out = try runChild("/usr/bin/git", ["-C", repo, "-c", "user.name=T", "-c", "user.email=t@t.invalid"] + args)
        guard out.status == 0 else { throw SandboxError("git \(args): \(out.stderrText)") }
      }
      for folder in ["objects/pack", "objects/info", "home", "run", "tmp"] {
        try FileManager.default.createDirectory(atPath: "\(own)/\(folder)", withIntermediateDirectories: true)
      }
    }
    let worker = SandboxedWorker(
      worker: "demo/b1", worktree: tree, gitDirectory: "\(repo)/.git/worktrees/b1", commonDirectory: "\(repo)/.git",
      beadsDirectory: nil, own: own, programs: [real], wt: "/usr/bin/true", path: "/usr/bin:/bin", support: support,
      links: real == program ? [:] : [program: real])
    try worker.prepareGitView()
    let layout = SandboxLayout.derive(worker, sandbox: Sandbox(runtime: .bwrap, network: .offline))
    let argv = Bubblewrap(program: "/usr/bin/bwrap").arguments(layout, command: [program] + args, kind: Bubblewrap.kind)
    return try runChild(argv[0], Array(argv.dropFirst()))
  }

  @Test(.enabled(if: ready)) func aiderStartsInsideWithWhatIsDerivedForIt() throws {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("wt-sbx-aider-\(UUID().uuidString.prefix(6))").path
    defer { try? FileManager.default.removeItem(atPath: root) }
    let support = ProgramSupport.parts(of: Self.aider, path: "/usr/bin:/bin", home: NSHomeDirectory())
    func run(_ support: [ProgramSupport.Part]) throws -> ChildOutput { try Self.run(Self.aider, ["--version"], support: support, root: root) }
    let derived = try run(support)
    #expect(derived.status == 0, "\(derived.stderrText)")
    #expect(derived.stdoutText.hasPrefix("aider "), "\(derived.stdoutText)")
    // Nothing of the person's home but the interpreter's own folders.
    #expect(support.allSatisfy { $0.path != NSHomeDirectory() })
    let bare = try run([])
    #expect(bare.status != 0)
  }
}

extension InterpretedAgentInBubblewrapTests {
  static var node: Bool { SandboxGitTests.bwrap && FileManager.default.isExecutableFile(atPath: "/usr/bin/node") }

  /// An npm-installed CLI as codex and gemini are: a link in the prefix's
  /// `bin` to a `#!/usr/bin/env node` script whose dependencies sit in
  /// `lib/node_modules`, outside every folder the sandbox shows.
  @Test(.enabled(if: node)) func anNpmScriptStartsInsideWithItsPackages() throws {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("wt-sbx-node-\(UUID().uuidString.prefix(6))").path
    defer { try? FileManager.default.removeItem(atPath: root) }
    let package = "\(root)/npm/lib/node_modules/fake-cli"
    try FileManager.default.createDirectory(atPath: "\(package)/node_modules/dep", withIntermediateDirectories: true)
    try FileManager.default.createDirectory(atPath: "\(package)/bin", withIntermediateDirectories: true)
    try FileManager.default.createDirectory(atPath: "\(root)/npm/bin", withIntermediateDirectories: true)
    try "module.exports = 'dep loaded';\n".write(toFile: "\(package)/node_modules/dep/index.js", atomically: true, encoding: .utf8)
    try "#!/usr/bin/env node\nconsole.log('fake-cli: ' + require('dep'));\n".write(
      toFile: "\(package)/bin/cli.js", atomically: true, encoding: .utf8)
    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: "\(package)/bin/cli.js")
    try FileManager.default.createSymbolicLink(atPath: "\(root)/npm/bin/fake-cli", withDestinationPath: "../lib/node_modules/fake-cli/bin/cli.js")
    let program = "\(root)/npm/bin/fake-cli"
    let support = ProgramSupport.parts(of: program, path: "/usr/bin:/bin", home: NSHomeDirectory())
    #expect(support.map(\.path).contains("\(root)/npm/lib/node_modules"))
    let derived = try Self.run(program, [], support: support, root: "\(root)/w")
    #expect(derived.stdoutText == "fake-cli: dep loaded\n", "\(derived.stderrText)")
    // With only the script (as before), its dependency is not there.
    let bare = try Self.run(program, [], support: [], root: "\(root)/w")
    #expect(bare.status != 0 && bare.stderrText.contains("Cannot find module 'dep'"), "\(bare.stderrText)")
  }
}
