import Foundation
import Manifest
import Testing
import TestSupport
@testable import Reconciler

/// What an agent inside a bwrap sandbox can leave in the files that are
/// its own (the worktree, its git folder) for git run by wt *outside* to
/// act on as the person: the real git and bwrap, a hostile script inside
/// with the layout a worker gets, then wt's own steps outside (`seal`,
/// `unseal`, `bringIn`, the uncommitted-files check of `wt done` and
/// teardown). Each must leave the person's branches and files alone and
/// run nothing of the agent's.
@Suite(.timeLimit(.minutes(2))) struct SandboxEscapeTests {
  static var bwrap: Bool { FileManager.default.isExecutableFile(atPath: "/usr/bin/bwrap") }

  /// A repository with `main` and `other`, a worktree on `wt/b1` sealed
  /// as `prepareSandbox` seals it, and its layout.
  struct Rig {
    var root: String
    var repo: String
    var tree: String
    var own: String
    var common: String
    var gitDirectory: String
    var layout: SandboxLayout
    let git = Git(runner: ProcessRunner())

    init(worktreeConfig: Bool = false) async throws {
      root = FileManager.default.temporaryDirectory.appendingPathComponent("wt-sbx-esc-\(UUID().uuidString.prefix(6))").path
      repo = "\(root)/repo"
      tree = "\(root)/trees/b1"
      own = "\(root)/state/b1"
      try FileManager.default.createDirectory(atPath: repo, withIntermediateDirectories: true)
      try Self.git(["init", "-q", "-b", "main"], in: repo)
      try Self.git(["config", "user.name", "T"], in: repo)
      try Self.git(["config", "user.email", "t@t.invalid"], in: repo)
      if worktreeConfig { try Self.git(["config", "extensions.worktreeConfig", "true"], in: repo) }
      try Self.git(["commit", "-q", "--allow-empty", "-m", "init"], in: repo)
      try Self.git(["branch", "other"], in: repo)
      try Self.git(["worktree", "add", "-q", "-b", "wt/b1", tree], in: repo)
      common = try await git.commonDirectory(repo)
      gitDirectory = try #require(git.worktreeGitDirectory(of: tree, common: common))
      for folder in ["objects/pack", "objects/info", "home", "run", "tmp"] {
        try FileManager.default.createDirectory(atPath: "\(own)/\(folder)", withIntermediateDirectories: true)
      }
      try "".write(toFile: "\(own)/run/gitconfig", atomically: true, encoding: .utf8)
      try await git.seal(gitDirectory: gitDirectory, branch: "wt/b1")
      let worker = SandboxedWorker(
        worker: "demo/b1", worktree: tree, gitDirectory: gitDirectory, commonDirectory: common, beadsDirectory: nil, own: own,
        programs: [], wt: "/usr/bin/true", path: "/usr/bin:/bin")
      try worker.prepareGitView()
      layout = SandboxLayout.derive(worker, sandbox: Sandbox(runtime: .bwrap, network: .offline))
    }

    @discardableResult
    static func git(_ args: [String], in dir: String) throws -> String {
      let env = ProcessInfo.processInfo.environment.merging([
        "GIT_AUTHOR_NAME": "T", "GIT_AUTHOR_EMAIL": "t@t.invalid", "GIT_COMMITTER_NAME": "T", "GIT_COMMITTER_EMAIL": "t@t.invalid",
      ]) { _, b in b }
      let out = try runChild("/usr/bin/git", args, in: dir, environment: env)
      guard out.status == 0 else { throw SandboxError("git \(args) failed: \(out.stderrText)") }
      return out.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func rev(_ name: String) throws -> String { try Self.git(["rev-parse", name], in: repo) }

    /// The agent: `script` run by sh in the worktree, inside the sandbox.
    func inside(_ script: String) throws -> ChildOutput {
      let argv = Bubblewrap().arguments(layout, command: ["/bin/sh", "-c", script], kind: Bubblewrap.kind)
      return try runChild("/usr/bin/\(argv[0])", Array(argv.dropFirst()))
    }

    /// A file of the person's, outside the sandbox.
    func victim() throws -> String {
      let path = "\(root)/person/notes.txt"
      try FileManager.default.createDirectory(atPath: "\(root)/person", withIntermediateDirectories: true)
      try "mine\n".write(toFile: path, atomically: true, encoding: .utf8)
      return path
    }
  }

  /// `refs/worktree/wt/b1` rewritten by the agent as a symbolic ref to
  /// another branch: before, `unseal` (teardown, abandon) deleted that
  /// branch (`update-ref -d` follows it) and `seal` (every restart) moved
  /// it to the worker's tip, past the merge queue and its gate.
  @Test(.enabled(if: bwrap)) func theWorkersOwnRefMadeASymbolicRefMovesNoOtherBranch() async throws {
    let rig = try await Rig()
    defer { try? FileManager.default.removeItem(atPath: rig.root) }
    let (main, other) = (try rig.rev("main"), try rig.rev("other"))
    let ran = try rig.inside(
      """
      echo work > f.txt && git add f.txt && git -c user.name=T -c user.email=t@t.invalid commit -qm work || exit 10
      printf 'ref: refs/heads/other\\n' > \(rig.gitDirectory)/refs/worktree/wt/b1 || exit 11
      """)
    #expect(ran.status == 0, "\(ran.stderrText)")
    // What wt brings in is a commit on the worker's own ref, never another
    // branch's tip through a symbolic ref.
    _ = try await rig.git.bringIn(
      gitDirectory: rig.gitDirectory, branch: "wt/b1", objects: "\(rig.own)/objects", repo: rig.repo, scratch: "\(rig.own)/in")
    #expect(try rig.rev("wt/b1") == main)
    try await rig.git.unseal(gitDirectory: rig.gitDirectory, branch: "wt/b1")
    #expect(try rig.rev("other") == other)
    #expect(try rig.rev("main") == main)
    // The agent's ref pointed at main, then a restart seals again.
    try await rig.git.seal(gitDirectory: rig.gitDirectory, branch: "wt/b1")
    let again = try rig.inside("printf 'ref: refs/heads/main\\n' > \(rig.gitDirectory)/refs/worktree/wt/b1")
    #expect(again.status == 0, "\(again.stderrText)")
    try await rig.git.seal(gitDirectory: rig.gitDirectory, branch: "wt/b1")
    #expect(try rig.rev("main") == main)
    #expect(try rig.rev("other") == other)
    #expect(try Rig.git(["rev-parse", "--symbolic-full-name", "HEAD"], in: rig.tree) == "refs/worktree/wt/b1")
  }

  /// The worktree's reflogs made links to a file of the person's: before,
  /// `seal` and `unseal` appended a line to it (git opens a reflog with
  /// O_APPEND, following links), a write anywhere the person may write.
  @Test(.enabled(if: bwrap)) func reflogsMadeLinksWriteNothingOutside() async throws {
    let rig = try await Rig()
    defer { try? FileManager.default.removeItem(atPath: rig.root) }
    let victim = try rig.victim()
    let ran = try rig.inside(
      """
      mkdir -p \(rig.gitDirectory)/logs/refs/worktree/wt || exit 10
      ln -sf \(victim) \(rig.gitDirectory)/logs/HEAD || exit 11
      rm -f \(rig.gitDirectory)/logs/refs/worktree/wt/b1; ln -s \(victim) \(rig.gitDirectory)/logs/refs/worktree/wt/b1 || exit 12
      """)
    #expect(ran.status == 0, "\(ran.stderrText)")
    try await rig.git.seal(gitDirectory: rig.gitDirectory, branch: "wt/b1")
    #expect(try String(contentsOfFile: victim, encoding: .utf8) == "mine\n")
    let relink = try rig.inside(
      "ln -sf \(victim) \(rig.gitDirectory)/logs/HEAD && ln -sf \(victim) \(rig.gitDirectory)/logs/refs/worktree/wt/b1")
    #expect(relink.status == 0, "\(relink.stderrText)")
    try await rig.git.unseal(gitDirectory: rig.gitDirectory, branch: "wt/b1")
    #expect(try String(contentsOfFile: victim, encoding: .utf8) == "mine\n")
    #expect(try Rig.git(["rev-parse", "--symbolic-full-name", "HEAD"], in: rig.tree) == "refs/heads/wt/b1")
  }

  /// A submodule the agent made (a gitlink in its index, a repository in
  /// the worktree whose config names a `core.fsmonitor` command): before,
  /// `git status` outside (`wt done`'s check for uncommitted files, the
  /// status report, teardown's safety) ran `git status` in it, and so the
  /// agent's command, as the person, with their whole environment.
  @Test(.enabled(if: bwrap)) func aSubmoduleTheAgentMadeRunsNothingWhenWtLooksAtTheWorktree() async throws {
    let rig = try await Rig()
    defer { try? FileManager.default.removeItem(atPath: rig.root) }
    let marker = "\(rig.root)/person/ran-as-the-person"
    try FileManager.default.createDirectory(atPath: "\(rig.root)/person", withIntermediateDirectories: true)
    let ran = try rig.inside(
      """
      unset GIT_OBJECT_DIRECTORY GIT_ALTERNATE_OBJECT_DIRECTORIES
      git init -q sub || exit 10
      git -C sub config core.fsmonitor 'touch \(marker); false' || exit 11
      git -C sub config filter.x.clean 'touch \(marker); cat' || exit 12
      echo '* filter=x' > sub/.gitattributes && echo hi > sub/f || exit 13
      git -C sub add f .gitattributes && git -C sub -c user.name=T -c user.email=t@t.invalid commit -qm f || exit 14
      git update-index --add --cacheinfo "160000,$(git -C sub rev-parse HEAD),sub" || exit 15
      touch -d 2020-01-01 sub/f
      """)
    #expect(ran.status == 0, "\(ran.stderrText)")
    #expect(try await rig.git.uncommittedFiles(in: rig.tree) > 0)
    _ = try await rig.git.changes(in: rig.tree, branch: "wt/b1", base: "main", repo: rig.repo)
    _ = try await rig.git.safety(of: rig.tree, branch: "wt/b1", base: "main", repo: rig.repo)
    #expect(!FileManager.default.fileExists(atPath: marker))
  }

  /// The worktree's `refs/worktree` (the source GitPython's view binds
  /// into the shared folder) made a link to a folder of the person's:
  /// before, the next start wrote the worker's ref into that folder and
  /// bound it, readable, into the sandbox.
  @Test(.enabled(if: bwrap)) func aLinkTheAgentLeftIsNotWhatTheNextStartShowsInside() async throws {
    let rig = try await Rig()
    defer { try? FileManager.default.removeItem(atPath: rig.root) }
    _ = try rig.victim()
    let ran = try rig.inside("rm -rf \(rig.gitDirectory)/refs/worktree && ln -s \(rig.root)/person \(rig.gitDirectory)/refs/worktree")
    #expect(ran.status == 0, "\(ran.stderrText)")
    // What prepareSandbox does before the next start.
    _ = try await rig.git.bringIn(
      gitDirectory: rig.gitDirectory, branch: "wt/b1", objects: "\(rig.own)/objects", repo: rig.repo, scratch: "\(rig.own)/in")
    try await rig.git.seal(gitDirectory: rig.gitDirectory, branch: "wt/b1")
    let worker = SandboxedWorker(
      worker: "demo/b1", worktree: rig.tree, gitDirectory: rig.gitDirectory, commonDirectory: rig.common, beadsDirectory: nil,
      own: rig.own, programs: [], wt: "/usr/bin/true", path: "/usr/bin:/bin")
    try worker.prepareGitView()
    #expect(!FileManager.default.fileExists(atPath: "\(rig.root)/person/wt"))
    let read = try rig.inside("cat \(rig.common)/refs/worktree/notes.txt")
    #expect(read.status != 0)
    #expect(!read.stdoutText.contains("mine"))
    #expect(try Rig.git(["rev-parse", "HEAD"], in: rig.tree) == rig.rev("wt/b1"))
  }

  /// With `extensions.worktreeConfig` on (git sparse-checkout turns it
  /// on), git reads the worktree's own `config.worktree`: before, the
  /// agent wrote a `core.fsmonitor` there and the next git wt ran in the
  /// worktree ran it as the person.
  @Test(.enabled(if: bwrap)) func theWorktreesOwnConfigIsNotTheAgentsToWrite() async throws {
    let rig = try await Rig(worktreeConfig: true)
    defer { try? FileManager.default.removeItem(atPath: rig.root) }
    let marker = "\(rig.root)/person/ran-as-the-person"
    try FileManager.default.createDirectory(atPath: "\(rig.root)/person", withIntermediateDirectories: true)
    let ran = try rig.inside("git config --worktree core.fsmonitor 'touch \(marker); false'")
    #expect(ran.status != 0)
    _ = try await rig.git.uncommittedFiles(in: rig.tree)
    #expect(!FileManager.default.fileExists(atPath: marker))
    // The agent's own commits still work.
    let commit = try rig.inside(
      "echo w > w.txt && git add w.txt && git -c user.name=T -c user.email=t@t.invalid commit -qm w")
    #expect(commit.status == 0, "\(commit.stderrText)")
  }

  /// A kept gate worktree (`gate_cache:`) whose sandboxed gate left its
  /// HEAD reflog a link to a file of the person's: before, the next
  /// gate's reset (git checkout, outside) appended a line to that file.
  @Test func aGatesLinkedReflogWritesNothingAtTheNextReset() async throws {
    let rig = try await Rig()
    defer { try? FileManager.default.removeItem(atPath: rig.root) }
    let victim = try rig.victim()
    let gate = "\(rig.root)/gates/slot"
    try Rig.git(["commit", "-q", "--allow-empty", "-m", "later"], in: rig.repo)
    try Rig.git(["worktree", "add", "-q", "--detach", gate, "main"], in: rig.repo)
    let gitDirectory = try #require(rig.git.worktreeGitDirectory(of: gate, common: rig.common))
    try FileManager.default.removeItem(atPath: "\(gitDirectory)/logs/HEAD")
    try FileManager.default.createSymbolicLink(atPath: "\(gitDirectory)/logs/HEAD", withDestinationPath: victim)
    try await rig.git.resetGateWorktree(gate, to: try rig.rev("other"), keep: [], gitDirectory: gitDirectory)
    #expect(try String(contentsOfFile: victim, encoding: .utf8) == "mine\n")
    #expect(try Rig.git(["rev-parse", "HEAD"], in: gate) == rig.rev("other"))
  }

  /// A repository whose hooks are its own files (`core.hooksPath
  /// .husky/_`, as husky sets it) and a worker's commit that adds them:
  /// before, the next gate's reset (post-checkout), the merge into the
  /// person's checkout (post-merge) and the push of its branch for a pull
  /// request (pre-push) ran them, as the person, outside any sandbox.
  @Test func hooksAWorkerCommittedRunNowhereOutside() async throws {
    let rig = try await Rig()
    defer { try? FileManager.default.removeItem(atPath: rig.root) }
    let marker = "\(rig.root)/person/ran"
    try FileManager.default.createDirectory(atPath: marker, withIntermediateDirectories: true)
    try Rig.git(["config", "core.hooksPath", ".husky/_"], in: rig.repo)
    try FileManager.default.createDirectory(atPath: "\(rig.tree)/.husky/_", withIntermediateDirectories: true)
    for hook in ["post-checkout", "post-merge", "pre-push", "reference-transaction"] {
      let path = "\(rig.tree)/.husky/_/\(hook)"
      try "#!/bin/sh\ntouch \(marker)/\(hook)\n".write(toFile: path, atomically: true, encoding: .utf8)
      try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
    }
    try Rig.git(["-c", "core.hooksPath=/dev/null", "add", "-f", ".husky"], in: rig.tree)
    try Rig.git(["-c", "core.hooksPath=/dev/null", "commit", "-qm", "hooks", "--no-verify"], in: rig.tree)
    let work = try Rig.git(["rev-parse", "HEAD"], in: rig.tree)
    // The gate's kept worktree, reset to the worker's commit.
    let gate = "\(rig.root)/gates/slot"
    try await rig.git.addDetachedWorktree(repo: rig.repo, path: gate, commit: try rig.rev("main"))
    try await rig.git.resetGateWorktree(gate, to: work, keep: [])
    // The merge into the person's checkout, which has main checked out.
    let main = try rig.rev("main")
    #expect(try await rig.git.advance(base: "main", from: main, to: work, repo: rig.repo, hooks: false) != .baseMoved)
    #expect(try rig.rev("main") == work)
    // The pull request's push, from the worker's worktree.
    try Rig.git(["init", "-q", "--bare", "\(rig.root)/origin.git"], in: rig.root)
    try Rig.git(["remote", "add", "origin", "\(rig.root)/origin.git"], in: rig.repo)
    try await rig.git.push("wt/b1", from: rig.tree, hooks: false)
    #expect(try FileManager.default.contentsOfDirectory(atPath: marker) == [])
  }

  /// systemd-resolved's Varlink socket resolves names on the host's
  /// network: before, `network: none` bound its folder in, and a name
  /// asked for carried data out (no resolved runs here, so the layout is
  /// what is checked).
  @Test func noNetworkMeansNoHostResolverEither() {
    func shows(_ network: Sandbox.Network) -> Bool {
      SandboxLayout.derive(SandboxLayoutTests.worker, sandbox: Sandbox(runtime: .bwrap, network: network)).mounts
        .contains { $0.target == "/run/systemd/resolve" }
    }
    #expect(!shows(.offline))
    #expect(!shows(.allow(["example.com"])))
    #expect(shows(.full))
  }
}
