import Foundation

/// git for sandboxed workers. Inside, the agent commits with its own
/// object store (`GIT_OBJECT_DIRECTORY`, the repository's as a read-only
/// alternate) on a per-worktree ref, `refs/worktree/<branch>` (git keeps
/// `refs/worktree/*` in the worktree's own folder; git-worktree(1), "REFS"),
/// so it can write nothing shared. Outside, wt brings the new objects in
/// (re-hashed and checked by `git index-pack --strict`) and moves the
/// worker's branch, and no other, to the same commit.
extension Git {
  /// The worktree's own git folder, found from the repository's side
  /// (`<common>/worktrees/*/gitdir` names each worktree's `.git` file), so
  /// a `.git` file the agent rewrote sends wt nowhere.
  public func worktreeGitDirectory(of worktree: String, common: String) -> String? {
    let root = "\(common)/worktrees"
    let names = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
    let wanted = CanonicalPath.of("\(worktree)/.git")
    return names.sorted().first { name in
      let text = (try? String(contentsOfFile: "\(root)/\(name)/gitdir", encoding: .utf8)) ?? ""
      return CanonicalPath.of(text.trimmingCharacters(in: .whitespacesAndNewlines)) == wanted
    }.map { "\(root)/\($0)" }
  }

  /// Points the worktree's HEAD at `refs/worktree/<branch>`, set to the
  /// branch (bring the sandbox's commits in first: `bringIn`).
  public func seal(gitDirectory: String, branch: String) async throws {
    let own = "refs/worktree/\(branch)"
    try await runner.run(
      ["git", "--git-dir=\(gitDirectory)", "update-ref", "-m", "wt: the sandbox's own ref", own, "refs/heads/\(branch)"])
    try await runner.run(["git", "--git-dir=\(gitDirectory)", "symbolic-ref", "HEAD", own])
  }

  /// Brings the commits on the worker's own ref into the repository and
  /// moves its branch there (compare-and-swap). Returns the new tip, or nil
  /// when there was nothing to bring.
  @discardableResult
  public func bringIn(gitDirectory: String, branch: String, objects: String, repo: String, scratch: String) async throws
    -> String?
  {
    let env = ["GIT_ALTERNATE_OBJECT_DIRECTORIES": objects]
    let own = try await runner.output(
      ["git", "--git-dir=\(gitDirectory)", "rev-parse", "--verify", "--quiet", "--end-of-options", "refs/worktree/\(branch)^{commit}"],
      environment: env)
    guard own.succeeded else { return nil }
    let tip = own.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    let current = try await revParse("refs/heads/\(branch)", repo: repo)
    guard tip != current else { return nil }
    let known = try await runner.run(["git", "-C", repo, "for-each-ref", "--format=%(objectname)", "refs/heads", "refs/tags"])
    try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: scratch) }
    let name = try await runner.run(
      ["git", "-C", repo, "pack-objects", "--revs", "--quiet", "\(scratch)/in"],
      environment: env, input: "\(tip)\n--not\n\(known)")
      .trimmingCharacters(in: .whitespacesAndNewlines)
    let pack = try Data(contentsOf: URL(fileURLWithPath: "\(scratch)/in-\(name).pack"))
    let indexed = try await runner.output(["git", "-C", repo, "index-pack", "--strict", "--stdin"], input: pack)
    guard indexed.succeeded else {
      throw CommandError(argv: ["git", "index-pack"], reason: .exited(indexed.status), stderr: indexed.stderr)
    }
    try await runner.run(
      ["git", "-C", repo, "update-ref", "-m", "wt: the sandboxed worker's commits", "refs/heads/\(branch)", tip, current])
    return tip
  }
}

extension Git {
  /// HEAD back on `refs/heads/<branch>` (after `bringIn`), for wt's own
  /// steps on the worktree (teardown, abandon).
  public func unseal(gitDirectory: String, branch: String) async throws {
    try await runner.run(["git", "--git-dir=\(gitDirectory)", "symbolic-ref", "HEAD", "refs/heads/\(branch)"])
    _ = try? await runner.output(["git", "--git-dir=\(gitDirectory)", "update-ref", "-d", "refs/worktree/\(branch)"])
  }

  /// A config value as git reads it for `repo` (every scope); nil when
  /// unset or empty.
  public func configValue(_ key: String, repo: String) async throws -> String? {
    let out = try await runner.output(["git", "-C", repo, "config", "--get", key])
    let value = out.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    return out.succeeded && !value.isEmpty ? value : nil
  }
}
