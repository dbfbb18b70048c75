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
  /// branch (bring the sandbox's commits in first: `bringIn`). Both files
  /// are written by wt itself, not git: the folder is the agent's, and git
  /// follows its links and symbolic refs (`AgentWrittenFolder`).
  public func seal(gitDirectory: String, branch: String) async throws {
    let tip = try await runner.run(
      ["git", "--git-dir=\(Self.commonDirectory(of: gitDirectory))", "rev-parse", "--verify", "--quiet", "--end-of-options", "refs/heads/\(branch)^{commit}"])
      .trimmingCharacters(in: .whitespacesAndNewlines)
    let folder = AgentWrittenFolder(root: gitDirectory)
    try folder.write(tip + "\n", to: "refs/worktree/\(branch)")
    try folder.write("ref: refs/worktree/\(branch)\n", to: "HEAD")
  }

  /// The shared git folder of a worktree's own (`<common>/worktrees/<id>`,
  /// as `worktreeGitDirectory` finds it): git run there reads no HEAD of
  /// the agent's (a pipe there would hold it forever).
  static func commonDirectory(of gitDirectory: String) -> String {
    ((gitDirectory as NSString).deletingLastPathComponent as NSString).deletingLastPathComponent
  }

  /// The commit on the worker's own ref as the agent left it: a plain
  /// file naming a commit, read without following a link; nil for
  /// anything else (a symbolic ref would bring another branch's tip).
  func ownTip(gitDirectory: String, branch: String) -> String? {
    guard let line = AgentWrittenFolder(root: gitDirectory).firstLine("refs/worktree/\(branch)"),
      [40, 64].contains(line.count), line.allSatisfy(\.isHexDigit)
    else { return nil }
    return line.lowercased()
  }

  /// Brings the commits on the worker's own ref into the repository and
  /// moves its branch there (compare-and-swap). Returns the new tip, or nil
  /// when there was nothing to bring.
  @discardableResult
  public func bringIn(gitDirectory: String, branch: String, objects: String, repo: String, scratch: String) async throws
    -> String?
  {
    let env = ["GIT_ALTERNATE_OBJECT_DIRECTORIES": objects]
    guard let written = ownTip(gitDirectory: gitDirectory, branch: branch) else { return nil }
    let own = try await runner.output(
      ["git", "--git-dir=\(Self.commonDirectory(of: gitDirectory))", "rev-parse", "--verify", "--quiet", "--end-of-options", "\(written)^{commit}"],
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
  /// steps on the worktree (teardown, abandon), and the worker's own ref
  /// gone. Written by wt, not git, as in `seal`: the agent may still run.
  public func unseal(gitDirectory: String, branch: String) async throws {
    let folder = AgentWrittenFolder(root: gitDirectory)
    try folder.write("ref: refs/heads/\(branch)\n", to: "HEAD")
    try? folder.remove("refs/worktree/\(branch)")
  }

  /// A config value as git reads it for `repo` (every scope); nil when
  /// unset or empty.
  public func configValue(_ key: String, repo: String) async throws -> String? {
    let out = try await runner.output(["git", "-C", repo, "config", "--get", key])
    let value = out.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    return out.succeeded && !value.isEmpty ? value : nil
  }
}
