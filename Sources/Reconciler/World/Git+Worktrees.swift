import Foundation

/// git's worktrees, index and objects beyond `Git.swift`'s basics: every
/// git argument list wt runs is built in a `Git*.swift` file
/// (`OwnershipTests` checks it).
extension Git {
  /// The repository's facts, or nil when `repo` is not the top of a git
  /// checkout (observing it says so; a folder inside another repository is
  /// not that repository).
  public func facts(of repo: String) async throws -> RepositoryFacts? {
    async let common = runner.output(
      ["git", "-C", repo, "rev-parse", "--path-format=absolute", "--git-common-dir", "--show-toplevel"])
    async let refs = runner.output(
      ["git", "-C", repo, "for-each-ref", "--format=%(refname)%09%(symref)", "refs/heads", "refs/remotes/origin"])
    async let trees = runner.output(["git", "-C", repo, "worktree", "list", "--porcelain"])
    let dir = try await common
    let lines = dir.stdout.split(separator: "\n").map(String.init)
    guard dir.succeeded, lines.count == 2, CanonicalPath.of(lines[1]) == CanonicalPath.of(repo) else { return nil }
    var facts = RepositoryFacts(
      commonDir: CanonicalPath.of(lines[0]), branches: [],
      remoteBranches: [], originHead: nil, checkedOut: Self.parseWorktrees(try await trees.stdout).first?.branch)
    for line in try await refs.stdout.split(separator: "\n") {
      let parts = line.split(separator: "\t", maxSplits: 1).map(String.init)
      guard let ref = parts.first else { continue }
      if ref.hasPrefix("refs/heads/") {
        facts.branches.append(String(ref.dropFirst(11)))
      } else if ref == "refs/remotes/origin/HEAD" {
        facts.originHead = parts.count == 2 && parts[1].hasPrefix("refs/remotes/origin/") ? String(parts[1].dropFirst(20)) : nil
      } else if ref.hasPrefix("refs/remotes/") {
        facts.remoteBranches.append(String(ref.dropFirst(13)))
      }
    }
    return facts
  }

  /// Checks `branch` out into a new worktree at `path`.
  public func addWorktree(repo: String, path: String, branch: String) async throws {
    try await administeringWorktrees(of: repo) { try await runner.run(["git", "-C", repo, "worktree", "add", "--", path, branch]) }
  }

  /// Makes `branch` at `commit` and checks it out into a new worktree at
  /// `path`.
  public func addWorktree(repo: String, path: String, newBranch branch: String, at commit: String) async throws {
    try await administeringWorktrees(of: repo) { try await runner.run(["git", "-C", repo, "worktree", "add", "-b", branch, "--", path, commit]) }
  }

  /// A worktree at `path` with `commit` checked out and no branch (the
  /// merge gate's scratch checkout). No hooks: the commit is a worker's
  /// (`Git.noHooks`).
  public func addDetachedWorktree(repo: String, path: String, commit: String) async throws {
    try await administeringWorktrees(of: repo) {
      try await runner.run(["git"] + Self.noHooks + ["-C", repo, "worktree", "add", "--detach", "--quiet", "--", path, commit])
    }
  }

  /// git's options for a command that must run no hook. A repository's
  /// hooks may be its own files (`core.hooksPath` relative, as husky sets
  /// it: `.husky/_`, read from the checkout git runs in; or a dispatcher
  /// such as lefthook or pre-commit reading its config from there): in a
  /// checkout of a worker's commit, a post-checkout, post-merge or pre-push
  /// hook would run that worker's code as the person, outside its sandbox.
  static let noHooks = ["-c", "core.hooksPath=/dev/null"]

  /// Removes a worktree whatever it holds: only for one that is wt's alone
  /// (the gate's scratch checkout). Its failure is not an error: the
  /// caller removes the folder and prunes.
  public func forceRemoveWorktree(repo: String, path: String) async throws {
    _ = try await administeringWorktrees(of: repo) { try await runner.output(["git", "-C", repo, "worktree", "remove", "--force", path]) }
  }

  /// Forgets worktrees whose folders are gone. Its failure is not an error.
  public func pruneWorktrees(repo: String) async throws {
    _ = try await administeringWorktrees(of: repo) { try await runner.output(["git", "-C", repo, "worktree", "prune"]) }
  }

  /// Whether git tracks `path` (relative to `worktree`).
  public func isTracked(_ path: String, in worktree: String) async throws -> Bool {
    let out = try await runner.output(["git", "-C", worktree, "ls-files", "--", path])
    return !out.stdout.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
  }

  /// git's blob id of each file (`git hash-object`), by path relative to
  /// `directory`; missing files are left out.
  public func blobIDs(_ files: [String], in directory: String) async throws -> [String: String] {
    let present = files.filter { FileManager.default.fileExists(atPath: (directory as NSString).appendingPathComponent($0)) }
    guard !present.isEmpty else { return [:] }
    let out = try await runner.run(["git", "-C", directory, "hash-object", "--no-filters", "--"] + present)
    return Dictionary(zip(present, out.split(separator: "\n").map(String.init)), uniquingKeysWith: { a, _ in a })
  }
}
