import Foundation

/// The git steps of a merge that never touches a person's checkout: the
/// merge is computed in the object database, and base moves only by a
/// fast-forward that git refuses when it would overwrite local changes, or
/// by a compare-and-swap of the ref.
extension Git {
  public enum MergeTree: Equatable, Sendable {
    case clean(tree: String)
    case conflict(files: [String])
  }

  /// `git merge-tree --write-tree base branch`: exit 0 and a tree, or exit
  /// 1 and the conflicting files; nothing is written to any checkout.
  public func mergeTree(base: String, branch: String, repo: String) async throws -> MergeTree {
    let out = try await runner.output(
      ["git", "-C", repo, "merge-tree", "--write-tree", "--name-only", "--no-messages", "--end-of-options", base, branch])
    let lines = out.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    switch out.status {
    case 0: return .clean(tree: lines.first ?? "")
    case 1: return .conflict(files: Array(Set(lines.dropFirst().filter { !$0.isEmpty })).sorted())
    default:
      throw CommandError(argv: ["git", "merge-tree", base, branch], reason: .exited(out.status), stderr: out.stderr)
    }
  }

  /// A merge commit of `tree` with the given parents, made without a
  /// checkout (no ref moves).
  public func commitTree(_ tree: String, parents: [String], message: String, repo: String) async throws -> String {
    var argv = ["git", "-C", repo, "commit-tree", tree, "-m", message]
    for parent in parents { argv += ["-p", parent] }
    return try await runner.run(argv).trimmingCharacters(in: .whitespacesAndNewlines)
  }

  /// The commit (or with `tree`, its tree) that `rev` names.
  public func revParse(_ rev: String, repo: String, tree: Bool = false) async throws -> String {
    try await runner.run(["git", "-C", repo, "rev-parse", "--verify", "--quiet", "--end-of-options", "\(rev)^{\(tree ? "tree" : "commit")}"])
      .trimmingCharacters(in: .whitespacesAndNewlines)
  }

  public func isAncestor(_ a: String, of b: String, repo: String) async throws -> Bool {
    try await runner.output(["git", "-C", repo, "merge-base", "--is-ancestor", "--end-of-options", a, b]).succeeded
  }

  public func commitCount(_ range: String, repo: String) async throws -> Int {
    Int(try await runner.run(["git", "-C", repo, "rev-list", "--count", "--end-of-options", range])
      .trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
  }

  /// `--oneline` subjects of the commits in `range`, at most `limit`.
  public func subjects(_ range: String, repo: String, limit: Int = 5) async throws -> [String] {
    try await runner.run(["git", "-C", repo, "log", "--format=%h %s", "-n", "\(limit)", "--end-of-options", range])
      .split(separator: "\n").map(String.init)
  }

  /// The absolute directory git shares between all checkouts of `repo`.
  public func commonDirectory(_ repo: String) async throws -> String {
    try await runner.run(["git", "-C", repo, "rev-parse", "--path-format=absolute", "--git-common-dir"])
      .trimmingCharacters(in: .whitespacesAndNewlines)
  }

  /// The operation a person has under way in `checkout` (a merge, rebase,
  /// cherry-pick, revert or bisect), or nil; wt waits rather than move
  /// anything under it.
  public func operationInProgress(in checkout: String) async throws -> String? {
    let markers = [
      ("MERGE_HEAD", "a merge"), ("rebase-merge", "a rebase"), ("rebase-apply", "a rebase or git am"),
      ("CHERRY_PICK_HEAD", "a cherry-pick"), ("REVERT_HEAD", "a revert"), ("BISECT_LOG", "a bisect"),
    ]
    var argv = ["git", "-C", checkout, "rev-parse"]
    for (marker, _) in markers { argv += ["--git-path", marker] }
    let paths = try await runner.run(argv).split(separator: "\n").map(String.init)
    for ((_, what), path) in zip(markers, paths) {
      let absolute = path.hasPrefix("/") ? path : (checkout as NSString).appendingPathComponent(path)
      if FileManager.default.fileExists(atPath: absolute) { return what }
    }
    return nil
  }

  /// Paths `git status` shows in a checkout: modified, staged, untracked.
  public func dirtyPaths(in checkout: String) async throws -> Set<String> {
    let out = try await runner.run(["git", "-C", checkout, "status", "--porcelain", "--untracked-files=all"])
    var paths = Set<String>()
    for line in out.split(separator: "\n") where line.count > 3 {
      let path = line.dropFirst(3)
      for part in path.split(separator: " -> ") { paths.insert(String(part)) }
    }
    return paths
  }

  public func changedFiles(from a: String, to b: String, repo: String) async throws -> Set<String> {
    Set(try await runner.run(["git", "-C", repo, "diff", "--name-only", "--end-of-options", a, b]).split(separator: "\n").map(String.init))
  }

  /// How moving base went.
  public enum Advance: Equatable, Sendable {
    case moved(how: String)
    /// base is no longer `old`: someone committed meanwhile; merge again.
    case baseMoved
    /// The checkout that has base checked out holds local changes to
    /// files the merge changes; git refused and nothing moved.
    case localChanges(checkout: String, files: [String])
  }

  /// Moves `base` from `old` to `new` (a descendant of `old`). Where base
  /// is checked out, by `git merge --ff-only`, which updates that
  /// checkout's files and refuses rather than overwrite local changes;
  /// elsewhere by `update-ref NEW OLD`, which fails when base moved.
  ///
  /// `hooks: false` for a sandboxed project's merge: a post-merge hook in
  /// the checkout would run the merged work as the person (`Git.noHooks`).
  public func advance(base: String, from old: String, to new: String, repo: String, hooks: Bool = true) async throws -> Advance {
    let holder = try await worktrees(of: repo).first { $0.branch == base }
    guard let holder else {
      let out = try await runner.output(
        ["git", "-C", repo, "update-ref", "-m", "wt: merge queue", "refs/heads/\(base)", new, old])
      return out.succeeded ? .moved(how: "update-ref") : .baseMoved
    }
    if try await revParse(base, repo: repo) != old { return .baseMoved }
    let out = try await runner.output(["git"] + (hooks ? [] : Self.noHooks) + ["-C", holder.path, "merge", "--ff-only", "--quiet", "--end-of-options", new])
    if out.succeeded { return .moved(how: "fast-forward in \(holder.path)") }
    if try await revParse(base, repo: repo) != old { return .baseMoved }
    let overlap = try await dirtyPaths(in: holder.path).intersection(changedFiles(from: old, to: new, repo: repo))
    if !overlap.isEmpty { return .localChanges(checkout: holder.path, files: overlap.sorted()) }
    throw CommandError(argv: ["git", "-C", holder.path, "merge", "--ff-only", new], reason: .exited(out.status), stderr: out.stderr)
  }
}
