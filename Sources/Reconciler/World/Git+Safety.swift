import Foundation
import Manifest

/// What teardown needs to know before it may remove a worktree.
public struct WorktreeSafety: Hashable, Sendable {
  public var uncommittedFiles: Int
  public var commitsNotInBase: Int
  public var mergedIntoBase: Bool
  /// Commits reachable only from the worktree's (detached) HEAD or its
  /// reflog: no branch holds them, so removing the worktree orphans them.
  public var orphanCommits: Int = 0
  /// Ignored files that may be work: edited `copy:` files, and anything
  /// ignored that the project does not declare `disposable`.
  public var ignoredWork: [String] = []

  public var isSafeToRemove: Bool {
    uncommittedFiles == 0 && mergedIntoBase && orphanCommits == 0 && ignoredWork.isEmpty
  }

  /// Why it is not safe, as a person reads it: "2 uncommitted files, 3
  /// commits not in main".
  public func problems(base: String) -> String {
    var parts: [String] = []
    if uncommittedFiles > 0 { parts.append("\(uncommittedFiles) uncommitted file\(uncommittedFiles == 1 ? "" : "s")") }
    if !mergedIntoBase { parts.append("\(commitsNotInBase) commit\(commitsNotInBase == 1 ? "" : "s") not in \(base)") }
    if orphanCommits > 0 {
      parts.append("\(orphanCommits) commit\(orphanCommits == 1 ? "" : "s") on no branch (detached HEAD or reflog)")
    }
    if !ignoredWork.isEmpty {
      let shown = ignoredWork.prefix(3).joined(separator: ", ") + (ignoredWork.count > 3 ? ", …" : "")
      parts.append("ignored files that may be work: \(shown)")
    }
    return parts.isEmpty ? "clean and merged" : parts.joined(separator: ", ")
  }
}

/// What wt put into a worktree and what the project calls disposable, so
/// teardown can tell leftovers from work among ignored files.
public struct IgnoredFiles: Sendable {
  /// `copy:` files with the blob id they had when copied (when known).
  public var copied: [String: String]
  /// `copy:` as declared; copies with no recorded id are compared with
  /// the main checkout's file.
  public var copy: [String]
  public var source: String
  /// `disposable:` patterns: `node_modules/` matches that folder at any
  /// depth, `app.log` that file.
  public var disposable: [String]

  public init(copied: [String: String] = [:], copy: [String] = [], source: String = "", disposable: [String] = []) {
    self.copied = copied
    self.copy = copy
    self.source = source
    self.disposable = disposable
  }

  /// For a worker of `project`: what `copy:` put there, by its record.
  public init(project: Project, record: WorkerRecord?) {
    // A repository's untrusted `disposable:` deletes nothing: its files
    // count as the person's work, and the worktree is kept.
    let untrusted = project.foreign.map { $0.needsTrust && $0.commands.contains { $0.hasPrefix("disposable:") } } ?? false
    self.init(
      copied: record?.copied ?? [:], copy: project.copy, source: project.path,
      disposable: untrusted ? [] : project.disposable)
  }

  func isDisposable(_ path: String) -> Bool {
    disposable.contains { pattern in
      let p = pattern.hasPrefix("/") ? String(pattern.dropFirst()) : pattern
      if p.hasSuffix("/") { return path.hasPrefix(p) || path.contains("/" + p) }
      return path == p || path.hasSuffix("/" + p)
    }
  }

  static func isOwn(_ path: String) -> Bool {
    CopiedFiles.ownFiles.contains { own in
      own.hasSuffix("/") ? path.hasPrefix(own) : own.hasSuffix("*") ? path.hasPrefix(String(own.dropLast())) : path == own
    }
  }
}

extension Git {
  public func safety(
    of worktree: String, branch: String, base: String, repo: String, ignored: IgnoredFiles = IgnoredFiles()
  ) async throws -> WorktreeSafety {
    async let dirty = uncommittedFiles(in: worktree)
    async let orphans = orphanCommits(in: worktree, repo: repo)
    async let work = ignoredWork(in: worktree, ignored)
    let ahead = try await branchExists(branch, in: repo) ? try await commitCount("\(base)..\(branch)", repo: repo) : 0
    let merged = ahead == 0 ? true : try await changesAlreadyIn(base: base, branch: branch, repo: repo)
    return WorktreeSafety(
      uncommittedFiles: try await dirty, commitsNotInBase: ahead, mergedIntoBase: merged,
      orphanCommits: try await orphans, ignoredWork: try await work)
  }

  /// A squash-merged branch has commits that are not ancestors of base, yet
  /// its changes are there: merging it into base would change nothing.
  /// `git merge-tree --write-tree` computes that merge without touching any
  /// checkout.
  func changesAlreadyIn(base: String, branch: String, repo: String) async throws -> Bool {
    guard case .clean(let tree) = try await mergeTree(base: base, branch: branch, repo: repo) else { return false }
    return tree == (try await revParse(base, repo: repo, tree: true))
  }

  /// Commits the worktree's HEAD or HEAD reflog reach that no branch, tag
  /// or remote branch does.
  func orphanCommits(in worktree: String, repo: String) async throws -> Int {
    let reflog = try await runner.output(["git", "-C", worktree, "reflog", "show", "--format=%H", "HEAD"])
    let head = try await runner.output(["git", "-C", worktree, "rev-parse", "--verify", "--quiet", "HEAD"])
    let tips = Set((reflog.stdout + "\n" + head.stdout).split(separator: "\n").map(String.init))
    guard !tips.isEmpty else { return 0 }
    let out = try await runner.run(
      ["git", "-C", repo, "rev-list", "--count", "--ignore-missing", "--stdin", "--not", "--branches", "--tags", "--remotes"],
      input: tips.sorted().joined(separator: "\n") + "\n")
    return Int(out.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
  }

  /// Ignored files in the worktree that `git worktree remove` would delete
  /// and that may be someone's work.
  func ignoredWork(in worktree: String, _ ignored: IgnoredFiles) async throws -> [String] {
    let out = try await runner.run(
      ["git", "-C", worktree, "ls-files", "--others", "--ignored", "--exclude-standard", "--directory"])
    var candidates: [String] = []
    for entry in out.split(separator: "\n").map(String.init) where !ignored.isDisposable(entry) {
      guard entry.hasSuffix("/") else {
        candidates.append(entry)
        continue
      }
      // A wholly ignored folder: look inside, for wt's own files.
      let walker = FileManager.default.enumerator(atPath: (worktree as NSString).appendingPathComponent(entry))
      while let inner = walker?.nextObject() as? String {
        var isDir: ObjCBool = false
        let path = entry + inner
        if FileManager.default.fileExists(atPath: (worktree as NSString).appendingPathComponent(path), isDirectory: &isDir),
          !isDir.boolValue, !ignored.isDisposable(path)
        {
          candidates.append(path)
        }
      }
    }
    candidates.removeAll(where: IgnoredFiles.isOwn)
    let copies = candidates.filter { ignored.copy.contains($0) || ignored.copied[$0] != nil }
    let now = try await blobIDs(copies, in: worktree)
    let unrecorded = copies.filter { ignored.copied[$0] == nil }
    let sources = try await blobIDs(unrecorded, in: ignored.source)
    return candidates.filter { path in
      guard let current = now[path] else { return true }
      return current != (ignored.copied[path] ?? sources[path])
    }.sorted()
  }
}
