import Foundation

/// One entry of `git worktree list --porcelain`.
public struct Worktree: Hashable, Sendable {
  public var path: String
  public var head: String?
  /// Short name (`wt/api-a3f`), nil when detached.
  public var branch: String?
  /// git still lists it, but its folder is gone (deleted by hand).
  public var prunable: Bool = false
}

/// git, as wt uses it. Paths are the main checkout unless named otherwise.
public struct Git: Sendable {
  public var runner: ProcessRunner

  public init(runner: ProcessRunner) { self.runner = runner }

  public func worktrees(of repo: String) async throws -> [Worktree] {
    let out = try await runner.run(["git", "-C", repo, "worktree", "list", "--porcelain"])
    // A worktree whose folder was deleted by hand is as good as gone. git
    // prints real paths already, but wt compares them with paths it made
    // from the manifest: both go through one spelling.
    return Self.parseWorktrees(out).filter { !$0.prunable }.map {
      var tree = $0
      tree.path = CanonicalPath.of(tree.path)
      return tree
    }
  }

  static func parseWorktrees(_ text: String) -> [Worktree] {
    var result: [Worktree] = []
    var current: Worktree?
    for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
      if line.hasPrefix("worktree ") {
        if let current { result.append(current) }
        current = Worktree(path: String(line.dropFirst(9)), head: nil, branch: nil)
      } else if line.hasPrefix("HEAD ") {
        current?.head = String(line.dropFirst(5))
      } else if line.hasPrefix("branch ") {
        let ref = line.dropFirst(7)
        current?.branch = ref.hasPrefix("refs/heads/") ? String(ref.dropFirst(11)) : String(ref)
      } else if line.hasPrefix("prunable") {
        current?.prunable = true
      }
    }
    if let current { result.append(current) }
    return result
  }

  public func branchExists(_ branch: String, in repo: String) async throws -> Bool {
    try await runner.output(["git", "-C", repo, "rev-parse", "--verify", "--quiet", "--end-of-options", "refs/heads/\(branch)"]).succeeded
  }

  /// Removes a worktree whose work is safe (see `safety`) and its branch.
  /// `branch -d` deletes only a merged branch, so a branch whose work is
  /// not in the checked-out HEAD survives (its failure is not an error).
  public func removeWorktree(repo: String, path: String, branch: String) async throws {
    try await administeringWorktrees(of: repo) { try await runner.run(["git", "-C", repo, "worktree", "remove", "--", path]) }
    _ = try? await runner.output(["git", "-C", repo, "branch", "-d", "--", branch])
  }

  /// Files git would commit or lose, except wt's own (kept out through the
  /// worktree's `info/exclude`).
  public func uncommittedFiles(in worktree: String) async throws -> Int {
    let out = try await runner.run(Self.worktreeStatus(worktree))
    return out.split(separator: "\n").count
  }

  /// `git status` of a worker's worktree, which its agent wrote (in a
  /// sandbox, as someone the person does not trust). A submodule's
  /// commit that moved still counts; what is inside a submodule is not
  /// looked at (`--ignore-submodules=dirty`): for that git runs `git
  /// status` in it, with the submodule's own config, which the agent
  /// writes (a `core.fsmonitor` or filter command ran as the person).
  static func worktreeStatus(_ worktree: String) -> [String] {
    ["git", "-C", worktree, "status", "--porcelain", "--untracked-files=all", "--ignore-submodules=dirty"]
  }

  /// What a worker changed: files committed on its branch since it left
  /// base, files uncommitted in its worktree, and commits ahead of base.
  public struct Changes: Sendable {
    public var committed: Set<String>
    public var uncommitted: Set<String>
    public var commitsAhead: Int
    public var files: Set<String> { committed.union(uncommitted) }
  }

  public func changes(in worktree: String, branch: String, base: String, repo: String) async throws -> Changes {
    async let ahead = runner.run(["git", "-C", repo, "rev-list", "--count", "--end-of-options", "\(base)..\(branch)"])
    async let committed = runner.run(["git", "-C", repo, "diff", "--name-only", "--end-of-options", "\(base)...\(branch)"])
    async let pending = runner.run(Self.worktreeStatus(worktree))
    var uncommitted = Set<String>()
    for line in try await pending.split(separator: "\n") where line.count > 3 {
      let path = line.dropFirst(3)
      uncommitted.insert(String(path.split(separator: " -> ").last ?? path))
    }
    return Changes(
      committed: Set(try await committed.split(separator: "\n").map(String.init)), uncommitted: uncommitted,
      commitsAhead: Int(try await ahead.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0)
  }

  /// Keeps wt's own files in a worktree out of `git status`, so they never
  /// count as the person's changes. git reads `info/exclude` from the
  /// common directory only, so the patterns apply to every checkout of the
  /// repository; they name files that are local by nature.
  public func exclude(_ patterns: [String], in worktree: String) async throws {
    let gitDir = try await runner.run(["git", "-C", worktree, "rev-parse", "--git-common-dir"])
      .trimmingCharacters(in: .whitespacesAndNewlines)
    let dir = gitDir.hasPrefix("/") ? gitDir : (worktree as NSString).appendingPathComponent(gitDir)
    let infoDir = (dir as NSString).appendingPathComponent("info")
    try FileManager.default.createDirectory(atPath: infoDir, withIntermediateDirectories: true)
    let file = (infoDir as NSString).appendingPathComponent("exclude")
    let existing = (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
    let missing = patterns.filter { !existing.split(separator: "\n").contains(Substring($0)) }
    guard !missing.isEmpty else { return }
    let text = existing + (existing.isEmpty || existing.hasSuffix("\n") ? "" : "\n") + missing.joined(separator: "\n") + "\n"
    try text.write(toFile: file, atomically: true, encoding: .utf8)
  }
}
