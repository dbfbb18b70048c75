import Foundation
import Manifest
import Testing
import TestSupport
@testable import Reconciler

/// The one mount layout (README, "Sandboxed workers") as a pure value,
/// bubblewrap's arguments made from it, and what a request from inside may
/// make wt run; then, with the real git and bwrap, that a commit from
/// inside lands on the worker's own ref and store, moves no other branch,
/// and reaches its branch only when wt brings it in.
@Suite(.timeLimit(.minutes(2))) struct SandboxLayoutTests {
  static let worker = SandboxedWorker(
    worker: "api/api-7kq", worktree: "/w/api/api-7kq", gitDirectory: "/src/api/.git/worktrees/api-7kq",
    commonDirectory: "/src/api/.git", beadsDirectory: "/src/api/.beads", own: "/state/sandbox/wt-api__api-7kq",
    programs: ["/home/me/.local/bin/claude", "/usr/bin/git"], wt: "/opt/wt/bin/wt", path: "/usr/bin:/home/me/.local/bin")

  @Test func theWorkerWritesOnlyWhatIsItsOwn() {
    let layout = SandboxLayout.derive(Self.worker, sandbox: Sandbox(runtime: .bwrap, network: .offline, readOnly: ["/opt/sdk"]))
    let writable = layout.mounts.filter { $0.access == .readWrite }.map(\.target)
    #expect(
      writable == [
        "/w/api/api-7kq", "/src/api/.git/worktrees/api-7kq", "/state/sandbox/wt-api__api-7kq/objects", "/src/api/.beads",
        "/state/sandbox/wt-api__api-7kq/home", "/state/sandbox/wt-api__api-7kq/tmp",
      ])
    let readOnly = Set(layout.mounts.filter { $0.access == .readOnly }.map(\.target))
    // The shared git folder, the files that tie the worktree to it, the
    // programs outside the system and the declared toolchain: read-only.
    for path in [
      "/src/api/.git", "/src/api/.git/worktrees/api-7kq/commondir", "/src/api/.git/worktrees/api-7kq/gitdir",
      "/w/api/api-7kq/.git", "/home/me/.local/bin/claude", "/opt/sdk", "/run/wt/bin/wt", "/state/sandbox/wt-api__api-7kq/run",
      // Where bd looks and how it reads its database: the agent changes
      // issues, never these.
      "/src/api/.beads/redirect", "/src/api/.beads/metadata.json", "/src/api/.beads/config.yaml",
    ] {
      #expect(readOnly.contains(path), "\(path)")
    }
    // The person's home, the main checkout and wt's state are not there.
    let all = layout.mounts.map(\.target)
    #expect(!all.contains { $0 == "/home/me" || $0 == "/src/api" || $0 == "/state" || $0 == "/usr/bin/git" })
    // Later mounts cover earlier ones: the read-only files sit on top of
    // the writable folders that hold them.
    #expect(all.firstIndex(of: "/w/api/api-7kq")! < all.firstIndex(of: "/w/api/api-7kq/.git")!)
    #expect(all.firstIndex(of: "/src/api/.beads")! < all.firstIndex(of: "/src/api/.beads/redirect")!)
    #expect(all.firstIndex(of: "/src/api/.git/worktrees/api-7kq")! < all.firstIndex(of: "/src/api/.git/worktrees/api-7kq/gitdir")!)
    #expect(layout.environment["GIT_OBJECT_DIRECTORY"] == "/state/sandbox/wt-api__api-7kq/objects")
    #expect(layout.environment["GIT_ALTERNATE_OBJECT_DIRECTORIES"] == "/src/api/.git/objects")
    #expect(layout.environment["BEADS_DIR"] == "/src/api/.beads")
    #expect(layout.environment["HOME"] == "/state/sandbox/wt-api__api-7kq/home")
    #expect(layout.environment["PATH"] == "/run/wt/bin:/usr/bin:/home/me/.local/bin")
    #expect(layout.directory == "/w/api/api-7kq")
    // GitPython's view: on top of the shared folder, read-only.
    let view = layout.mounts.filter { $0.target.hasPrefix("/src/api/.git/") && $0.source != $0.target }
    #expect(view.map(\.target) == ["/src/api/.git/refs/worktree", "/src/api/.git/objects/info"])
    #expect(view.map(\.source) == ["/src/api/.git/worktrees/api-7kq/refs/worktree", "/state/sandbox/wt-api__api-7kq/objects-info"])
    #expect(view.allSatisfy { $0.access == .readOnly })
    #expect(all.firstIndex(of: "/src/api/.git")! < all.firstIndex(of: "/src/api/.git/objects/info")!)
    #expect(SandboxedWorker.alternates(original: "../../other/objects\n", adding: "/own/objects") == "../../other/objects\n/own/objects\n")
    #expect(SandboxedWorker.alternates(original: nil, adding: "/own/objects") == "/own/objects\n")
  }

  @Test func bubblewrapGetsTheLayoutInOrderWithItsOwnNamespaces() {
    let layout = SandboxLayout.derive(Self.worker, sandbox: Sandbox(runtime: .bwrap, network: .offline))
    let argv = Bubblewrap().arguments(layout, command: ["claude", "--flag"], kind: { $0 == "/etc/ssh" ? .folder : $0 == "/etc/shadow" ? .file : .missing })
    #expect(Array(argv.prefix(7)) == ["bwrap", "--die-with-parent", "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try", "--unshare-net"])
    #expect(Array(argv.suffix(5)) == ["--chdir", "/w/api/api-7kq", "--", "claude", "--flag"])
    let joined = argv.joined(separator: " ")
    #expect(joined.contains("--bind /src/api/.git/worktrees/api-7kq /src/api/.git/worktrees/api-7kq --ro-bind /src/api/.git/worktrees/api-7kq/commondir"))
    #expect(joined.contains("--ro-bind /dev/null /etc/shadow --tmpfs /etc/ssh --remount-ro /etc/ssh"))
    #expect(!joined.contains("/etc/gshadow"))
    #expect(joined.contains("--remount-ro /tmp --remount-ro /"))
    let full = Bubblewrap().arguments(SandboxLayout.derive(Self.worker, sandbox: Sandbox(runtime: .bwrap)), command: ["x"], kind: { _ in .missing })
    #expect(!full.contains("--unshare-net"))
  }

  @Test func aRequestFromInsideRunsOnlyItsOwnWorkersCommands() {
    func command(_ args: String...) -> [String]? { SandboxRequest(arguments: args).command(worker: "api/api-7kq") }
    #expect(command("signal", "needs-input", "why?") == ["signal", "--worker", "api/api-7kq", "--", "needs-input", "why?"])
    #expect(command("signal", "--worker", "api/other", "done") == nil)
    #expect(command("done", "--allow-empty") == ["done", "--allow-empty"])
    #expect(command("done", "api-other") == nil)
    #expect(command("done", "-f", "/tmp/evil.yaml") == nil)
    #expect(command("prime") == ["prime"])
    #expect(command("apply") == nil)
    #expect(command("abandon", "api-other") == nil)
    #expect(command("handoff", "-m", "note") == ["handoff", "--message", "note"])
  }

  @Test func theSupervisorPassesOnlyTheNamedVariables() {
    let kept = SandboxSupervisor.environment(
      ["PATH": "/usr/bin", "ANTHROPIC_API_KEY": "k", "GH_TOKEN": "t", "SSH_AUTH_SOCK": "/s", "LC_ALL": "C", "WT_WORKER": "w", "MINE": "1"],
      keep: ["ANTHROPIC_*", "MINE"])
    #expect(kept == ["PATH": "/usr/bin", "ANTHROPIC_API_KEY": "k", "LC_ALL": "C", "WT_WORKER": "w", "MINE": "1"])
  }
}

/// What the supervisor runs for a request from inside goes through the
/// process runner: the worker's name and the session's variables, stdin
/// passed, both outputs back; and a command past its deadline is ended
/// (TERM, then KILL when it ignores TERM) rather than holding the
/// sandbox's `wt done` for ever.
@Suite(.timeLimit(.minutes(1))) struct SandboxSupervisorRunTests {
  let supervisor = SandboxSupervisor(
    worker: "demo/x", socket: "/nonexistent/wt.sock", keep: [], wt: "/bin/true", directory: "/tmp", command: ["true"])

  /// On a thread of its own, as the supervisor answers each request: a
  /// test's own thread is the cooperative pool's, which the runner needs.
  func run(_ argv: [String], input: String? = nil, environment: [String: String], timeout: Duration? = nil) async
    -> SandboxChannel.Reply
  {
    let supervisor = supervisor
    return await withCheckedContinuation { done in
      Thread.detachNewThread { done.resume(returning: supervisor.run(argv, input: input, environment: environment, timeout: timeout)) }
    }
  }

  @Test func aRequestRunsWithTheWorkersNameAndItsInput() async {
    let reply = await run(
      ["/bin/sh", "-c", "cat; echo \"$WT_WORKER $MINE ${WT_SANDBOX_SOCKET:-none}\"; echo oops >&2; exit 3"], input: "hook-json\n",
      environment: ["PATH": "/usr/bin:/bin", "MINE": "kept", "WT_SANDBOX_SOCKET": "/s"])
    #expect(reply.status == 3)
    #expect(reply.stdout == "hook-json\ndemo/x kept none\n")
    #expect(reply.stderr == "oops\n")
  }

  @Test func aCommandPastItsDeadlineIsEndedEvenIfItIgnoresTerm() async throws {
    let pidFile = FileManager.default.temporaryDirectory.appendingPathComponent("wt-sup-\(UUID().uuidString.prefix(6))").path
    defer { try? FileManager.default.removeItem(atPath: pidFile) }
    let script = "import os, signal, sys, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); open(sys.argv[1], 'w').write(str(os.getpid())); time.sleep(60)"
    let reply = await run(["/usr/bin/python3", "-c", script, pidFile], environment: ["PATH": "/usr/bin:/bin"], timeout: .seconds(1))
    #expect(reply.status == 124, "\(reply)")
    #expect(reply.stderr.contains("did not finish within"), "\(reply.stderr)")
    let pid = try #require(pid_t(try String(contentsOfFile: pidFile, encoding: .utf8)))
    // Gone (reaped), not merely signalled.
    #expect(kill(pid, 0) == -1 && errno == ESRCH)
  }

  @Test func onlyDoneWaitsLongerThanAMoment() {
    #expect(SandboxSupervisor.deadline(["/wt", "done"]) > .seconds(3600))
    #expect(SandboxSupervisor.deadline(["/wt", "signal", "--worker", "w", "--", "done"]) == .seconds(120))
  }
}

/// The commit path with the real git and bwrap: the same layout a worker
/// gets, a commit from inside, an attempt on another branch, then wt's
/// `bringIn` outside.
@Suite(.timeLimit(.minutes(2))) struct SandboxGitTests {
  static var bwrap: Bool { FileManager.default.isExecutableFile(atPath: "/usr/bin/bwrap") }

  func git(_ args: String..., in dir: String) throws -> String {
    let env = ProcessInfo.processInfo.environment.merging([
      "GIT_AUTHOR_NAME": "T", "GIT_AUTHOR_EMAIL": "t@t.invalid", "GIT_COMMITTER_NAME": "T", "GIT_COMMITTER_EMAIL": "t@t.invalid",
    ]) { _, b in b }
    let out = try runChild("/usr/bin/git", args, in: dir, environment: env)
    guard out.status == 0 else { throw SandboxError("git \(args) failed: \(out.stderrText)") }
    return out.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
  }

  @Test(.enabled(if: bwrap)) func aCommitFromInsideMovesOnlyItsOwnRefUntilWtBringsItIn() async throws {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("wt-sbx-git-\(UUID().uuidString.prefix(6))").path
    defer { try? FileManager.default.removeItem(atPath: root) }
    let repo = "\(root)/repo", tree = "\(root)/trees/b1", own = "\(root)/state/b1"
    try FileManager.default.createDirectory(atPath: repo, withIntermediateDirectories: true)
    _ = try git("init", "-q", "-b", "main", in: repo)
    _ = try git("config", "user.name", "T", in: repo)
    _ = try git("config", "user.email", "t@t.invalid", in: repo)
    _ = try git("commit", "-q", "--allow-empty", "-m", "init", in: repo)
    _ = try git("branch", "other", in: repo)
    _ = try git("worktree", "add", "-q", "-b", "wt/b1", tree, in: repo)
    let (main, other) = (try git("rev-parse", "main", in: repo), try git("rev-parse", "other", in: repo))
    let g = Git(runner: ProcessRunner())
    let common = try await g.commonDirectory(repo)
    let gitDirectory = try #require(g.worktreeGitDirectory(of: tree, common: common))
    for folder in ["objects/pack", "objects/info", "home", "run", "tmp"] {
      try FileManager.default.createDirectory(atPath: "\(own)/\(folder)", withIntermediateDirectories: true)
    }
    try "".write(toFile: "\(own)/run/gitconfig", atomically: true, encoding: .utf8)
    try await g.seal(gitDirectory: gitDirectory, branch: "wt/b1")
    let worker = SandboxedWorker(
      worker: "demo/b1", worktree: tree, gitDirectory: gitDirectory, commonDirectory: common, beadsDirectory: nil, own: own,
      programs: [], wt: "/usr/bin/true", path: "/usr/bin:/bin")
    try worker.prepareGitView()
    let layout = SandboxLayout.derive(worker, sandbox: Sandbox(runtime: .bwrap, network: .offline))
    let script = """
      echo work > f.txt && git add f.txt && git -c user.name=T -c user.email=t@t.invalid commit -qm work || exit 10
      git update-ref refs/heads/other HEAD 2>/dev/null && exit 11
      git branch -f main HEAD 2>/dev/null && exit 12
      # What GitPython reads: its ref and its objects through the shared folder.
      tip=$(git rev-parse HEAD)
      [ "$(cat \(common)/refs/worktree/wt/b1)" = "$tip" ] || exit 14
      env -u GIT_OBJECT_DIRECTORY -u GIT_ALTERNATE_OBJECT_DIRECTORIES git --git-dir=\(common) cat-file -e "$tip" || exit 15
      echo x > \(repo)/.git/objects/x 2>/dev/null && exit 13
      exit 0
      """
    let argv = Bubblewrap().arguments(layout, command: ["/bin/sh", "-c", script], kind: Bubblewrap.kind)
    let ran = try runChild(argv[0].hasPrefix("/") ? argv[0] : "/usr/bin/\(argv[0])", Array(argv.dropFirst()))
    #expect(ran.status == 0, "\(ran.stderrText)")
    let own_ = try git("--git-dir=\(gitDirectory)", "rev-parse", "refs/worktree/wt/b1", in: repo)
    // Not in the repository yet: the commit is in the worker's own store.
    #expect(!FileManager.default.fileExists(atPath: "\(common)/objects/info/alternates"))
    #expect(try runChild("/usr/bin/git", ["-C", repo, "cat-file", "-e", own_]).status != 0)
    #expect(try git("rev-parse", "wt/b1", in: repo) == main)
    let tip = try await g.bringIn(gitDirectory: gitDirectory, branch: "wt/b1", objects: "\(own)/objects", repo: repo, scratch: "\(own)/in")
    #expect(tip == own_)
    #expect(try git("rev-parse", "wt/b1", in: repo) == own_)
    #expect(try git("show", "wt/b1:f.txt", in: repo) == "work")
    #expect(try git("rev-parse", "main", in: repo) == main)
    #expect(try git("rev-parse", "other", in: repo) == other)
    // git fsck calls a HEAD on refs/worktree/* "something strange": wt
    // puts it back on the branch before the worktree is the person's.
    try await g.unseal(gitDirectory: gitDirectory, branch: "wt/b1")
    #expect(try git("fsck", "--no-dangling", in: repo).isEmpty)
    #expect(try git("rev-parse", "--abbrev-ref", "HEAD", in: tree) == "wt/b1")
    // Nothing more to bring the second time.
    #expect(try await g.bringIn(gitDirectory: gitDirectory, branch: "wt/b1", objects: "\(own)/objects", repo: repo, scratch: "\(own)/in") == nil)
  }
}
