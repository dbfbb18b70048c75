import Foundation

/// git's worktree administration (add, remove, prune) for one repository,
/// one at a time across every wt process: git does not do it safely in
/// parallel ("failed to read .git/worktrees/X/commondir" while another
/// add has the folder half made, and `worktree prune` may take a worktree
/// being made). `wt apply` starting workers, a worker's own `wt done`
/// tearing down, and the merge queue's gate slots all change one
/// repository's worktrees at once in an unattended day.
///
/// A task that holds a repository's turn may take it again (a start that
/// lists, then adds, then prunes after a failure): the turn is re-entrant
/// within the task, so the primitives can take it and callers can hold it
/// across several of them.
enum WorktreeAdministration {
  /// The common git folders whose turn this task holds.
  @TaskLocal static var held: Set<String> = []

  /// Runs `body` holding the turn of the repository whose common git
  /// folder is `common`: first this process's (tasks wait in line), then
  /// the lock file in that folder (other wt processes).
  static func serially<T: Sendable>(common: String, _ body: @Sendable () async throws -> T) async throws -> T {
    if held.contains(common) { return try await body() }
    return try await InProcess.shared.serially(common) {
      let turn = try await FileLock(
        path: "\(common)/wt-worktree-add.lock", what: "the lock on this repository's worktrees",
        holder: "wt (pid \(getpid()))", wait: .seconds(120))
      defer { withExtendedLifetime(turn) {} }
      return try await $held.withValue(held.union([common])) { try await body() }
    }
  }

  /// One line per repository in this process, so that the lock file is
  /// contended only between processes.
  actor InProcess {
    static let shared = InProcess()
    private var busy: Set<String> = []
    private var waiters: [String: [CheckedContinuation<Void, Never>]] = [:]

    func serially<T: Sendable>(_ key: String, _ body: @Sendable () async throws -> T) async throws -> T {
      while busy.contains(key) { await withCheckedContinuation { waiters[key, default: []].append($0) } }
      busy.insert(key)
      defer {
        busy.remove(key)
        if var line = waiters[key], !line.isEmpty {
          line.removeFirst().resume()
          waiters[key] = line.isEmpty ? nil : line
        }
      }
      return try await body()
    }
  }
}

extension Git {
  /// Runs `body` holding `repo`'s turn at worktree administration.
  public func administeringWorktrees<T: Sendable>(of repo: String, _ body: @Sendable () async throws -> T) async throws -> T {
    try await WorktreeAdministration.serially(common: CanonicalPath.of(try await commonDirectory(repo)), body)
  }
}
