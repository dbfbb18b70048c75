import Foundation
import Manifest

/// The merge queue of finished workers, kept in the state file, and the
/// lock that lets one merger per repository run at a time.
public struct MergeQueue: Sendable {
  public var world: World

  public init(world: World) { self.world = world }

  /// Entries in the order they were queued; an active entry whose `wt
  /// done` is gone shows as interrupted.
  public func entries() throws -> [MergeEntry] {
    try world.store.load().markingInterruptedMerges(alive: processIsAlive).merges.values
      .sorted { ($0.queuedAt, $0.worker) < ($1.queuedAt, $1.worker) }
  }

  /// Queues the worker for this process, under the bead guard, so that no
  /// apply releases the bead between here and its close.
  func enqueue(_ worker: WorkerRef) async throws {
    try await world.guardingBeads {
      try world.store.update { state in
        state.merges[worker.name] = MergeEntry(
          project: worker.project.name, bead: worker.bead, worker: worker.name, branch: worker.branch, pid: getpid(),
          at: Date())
      }
    }
  }

  /// Changes this process's entry only: a second `wt done` of the same
  /// worker owns its own.
  func set(_ worker: WorkerRef, _ phase: MergeEntry.Phase, reason: String? = nil) throws {
    try world.store.update { state in
      guard state.merges[worker.name]?.pid == getpid() else { return }
      state.merges[worker.name]?.phase = phase
      state.merges[worker.name]?.reason = reason
      state.merges[worker.name]?.updatedAt = Date()
    }
  }

  /// Drops the worker's entry once its bead is closed: this process's, or
  /// one that is no longer active.
  func remove(_ worker: WorkerRef) throws {
    try world.store.update { state in
      guard let entry = state.merges[worker.name], entry.pid == getpid() || !entry.isActive else { return }
      state.merges[worker.name] = nil
    }
  }

  /// Drops the worker's entry when no `wt done` is at it (held, failed,
  /// interrupted): an abandoned worker has nothing left to merge.
  func forget(_ worker: WorkerRef) throws {
    try world.store.update { state in
      guard let entry = state.merges[worker.name], !(entry.isActive && processIsAlive(entry.pid)) else { return }
      state.merges[worker.name] = nil
    }
  }

  /// The repository's merge lock (`wt-merge.lock` in its git directory,
  /// shared by every checkout and every state directory), waiting its turn
  /// behind the merger that holds it.
  func lock(_ worker: WorkerRef, wait: Duration, waiting: @escaping @Sendable (String) -> Void) async throws -> FileLock {
    let common = try await world.git.commonDirectory(worker.project.path)
    return try await FileLock(
      path: "\(common)/wt-merge.lock", what: "the merge lock of \(worker.project.path)",
      holder: "wt done \(worker.name)", wait: wait, waiting: waiting)
  }
}

extension World {
  /// Runs `body` holding the bead guard (`beads.lock` in the state
  /// directory): queuing a merge and releasing a bead never interleave.
  func guardingBeads<T: Sendable>(_ body: () async throws -> T) async throws -> T {
    let guard_ = try await FileLock(
      path: "\(store.directory)/beads.lock", what: "the bead guard", holder: "wt", wait: .seconds(120))
    defer { withExtendedLifetime(guard_) {} }
    return try await body()
  }
}
