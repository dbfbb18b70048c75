import Foundation
import Testing
import TestSupport
@testable import Reconciler

/// git does not add and remove one repository's worktrees safely in
/// parallel: twelve plain `git worktree add`/`remove` pairs at once fail
/// several times ("failed to read .git/worktrees/X/commondir", "is not a
/// working tree"). In an unattended day `wt apply` starts workers, a
/// worker's own `wt done` removes its worktree and the gate slots add
/// theirs, all at once: every such change takes the repository's turn.
@Suite(.timeLimit(.minutes(3))) struct WorktreeAdministrationTests {
  static func git(_ args: String..., in dir: String) throws {
    let out = try runChild("/usr/bin/git", args, in: dir)
    guard out.status == 0 else { throw StateError(message: "git \(args) failed: \(out.stderrText)") }
  }

  /// Tasks of this process and another process (flock(1) on the same lock
  /// file, as a second wt takes it) add and remove worktrees of one
  /// repository at once: not one fails, and none is left over.
  @Test func addsAndRemovesFromManyTasksAndAnotherProcessAllSucceed() async throws {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("wt-trees-\(UUID().uuidString.prefix(6))").path
    defer { try? FileManager.default.removeItem(atPath: root) }
    let repo = "\(root)/repo"
    try FileManager.default.createDirectory(atPath: repo, withIntermediateDirectories: true)
    try Self.git("init", "-q", "-b", "main", in: repo)
    try Self.git("-c", "user.name=T", "-c", "user.email=t@t.invalid", "commit", "-q", "--allow-empty", "-m", "init", in: repo)
    let g = Git(runner: ProcessRunner())
    let lock = "\(CanonicalPath.of(try await g.commonDirectory(repo)))/wt-worktree-add.lock"
    let other = Task.detached {
      let script = """
        for i in 1 2 3 4 5 6; do
          flock "$1" git -C "$2" worktree add -q -b other-$i "$3/other-$i" main || exit 1
          flock "$1" git -C "$2" worktree remove "$3/other-$i" || exit 2
        done
        """
      return try runChild("/bin/sh", ["-c", script, "sh", lock, repo, root])
    }
    try await withThrowingTaskGroup(of: Void.self) { group in
      for i in 0..<12 {
        group.addTask {
          for round in 0..<2 {
            let path = "\(root)/trees/w\(i)-\(round)"
            try await g.addWorktree(repo: repo, path: path, newBranch: "wt/w\(i)-\(round)", at: "main")
            try await g.removeWorktree(repo: repo, path: path, branch: "wt/w\(i)-\(round)")
          }
        }
      }
      try await group.waitForAll()
    }
    let otherRun = try await other.value
    #expect(otherRun.status == 0, "\(otherRun.stderrText)")
    #expect(try await g.worktrees(of: repo).count == 1)
  }

  /// A task that holds the turn takes it again (a start lists, adds, and
  /// prunes after a failure) instead of waiting on itself.
  @Test func theTurnIsReentrantWithinATask() async throws {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("wt-trees-\(UUID().uuidString.prefix(6))").path
    defer { try? FileManager.default.removeItem(atPath: root) }
    try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    try Self.git("init", "-q", "-b", "main", in: root)
    let g = Git(runner: ProcessRunner())
    let pruned: Bool = try await g.administeringWorktrees(of: root) {
      try await g.pruneWorktrees(repo: root)
      return true
    }
    #expect(pruned)
  }
}
