import Foundation
import Manifest

/// The merge queue of finished workers, kept in the state file, and the
/// lock that lets one merger per repository run at a time.
public struct MergeQueue: Sendable {
  public var world: World

  public init(world: World) { self.world = world }

  /// Entries in the order they were queued (their tickets); an active
  /// entry whose `wt done` is gone shows as interrupted.
  public func entries() throws -> [MergeEntry] {
    try world.store.load().markingInterruptedMerges(alive: processIsAlive).merges.values
      .sorted { ($0.ticket, $0.queuedAt, $0.worker) < ($1.ticket, $1.queuedAt, $1.worker) }
  }

  /// Queues the worker for this process, under the bead guard, so that no
  /// apply releases the bead between here and its close. Its ticket is the
  /// next one, or the one it had while held (a held merge keeps its
  /// place); an entry this process queued already (the loop queues every
  /// held merge it retries before merging any) stays as it is.
  func enqueue(_ worker: WorkerRef, tip: String, priority: Int?) async throws {
    try await world.guardingBeads {
      try world.store.update { state in
        let existing = state.merges[worker.name]
        if let existing, existing.pid == getpid(), existing.phase == .waiting, existing.outcome == nil { return }
        let ticket = existing.flatMap { $0.phase == .held ? $0.ticket : nil } ?? state.nextMergeTicket
        state.merges[worker.name] = MergeEntry(
          project: worker.project.name, bead: worker.bead, worker: worker.name, branch: worker.branch, pid: getpid(),
          at: existing?.phase == .held ? existing!.queuedAt : Date(), ticket: ticket, tip: tip, priority: priority)
      }
    }
  }

  /// The project's entries a merger takes now, in the order it takes them:
  /// waiting, their `wt done` alive.
  func waiting(project: String, order: MergePolicy.Order) throws -> [MergeEntry] {
    Self.inLine(
      try world.store.load().merges.values.filter { $0.project == project && $0.phase == .waiting && processIsAlive($0.pid) },
      order: order)
  }

  /// Entries in line (waiting or gating), in the order a merger takes
  /// them: by ticket, or by the bead's priority first.
  public static func inLine(_ entries: [MergeEntry], order: MergePolicy.Order) -> [MergeEntry] {
    entries.filter { $0.phase == .waiting || $0.phase == .gating }.sorted {
      order == .priority
        ? ($0.priority ?? 2, $0.ticket, $0.worker) < ($1.priority ?? 2, $1.ticket, $1.worker)
        : ($0.ticket, $0.worker) < ($1.ticket, $1.worker)
    }
  }

  /// Entries left `gating` by a merger that died: whoever holds the lock
  /// now knows that no gate of theirs runs, so they wait again.
  func requeueStale(project: String) throws {
    try world.store.update { state in
      for (name, entry) in state.merges where entry.project == project && entry.phase == .gating {
        state.merges[name]?.phase = .waiting
      }
    }
  }

  /// Takes the entries a round merges out of line (gating): those still
  /// waiting, as given; from here on their `wt done`s wait for their
  /// outcome whatever their deadline (`giveUp`).
  func claim(_ entries: [MergeEntry]) throws -> [MergeEntry] {
    let workers = Set(entries.map(\.worker))
    return try world.store.update { state in
      var claimed: [MergeEntry] = []
      for entry in entries where workers.contains(entry.worker) {
        guard var current = state.merges[entry.worker], current.ticket == entry.ticket, current.pid == entry.pid,
          current.phase == .waiting
        else { continue }
        current.phase = .gating
        current.updatedAt = Date()
        state.merges[entry.worker] = current
        claimed.append(current)
      }
      return claimed
    }
  }

  /// An entry whose `wt done` waited too long for the lock goes back to
  /// the loop (held) unless a merger claimed it meanwhile (false: its
  /// outcome comes).
  func giveUp(_ worker: WorkerRef, reason: String) throws -> Bool {
    try world.store.update { state in
      guard let entry = state.merges[worker.name], entry.pid == getpid(), entry.phase == .waiting else { return false }
      state.merges[worker.name]?.phase = .held
      state.merges[worker.name]?.reason = reason
      state.merges[worker.name]?.updatedAt = Date()
      return true
    }
  }

  /// The entries of one batch, now being gated together.
  func markGating(_ entries: [MergeEntry], batch: String) throws {
    let now = Date()
    try change(entries) { entry in
      entry.phase = .gating
      entry.batch = batch
      if entry.gatingSince == nil { entry.gatingSince = now }
    }
  }

  /// Entries whose batch did not come to an end (its premise failed, base
  /// moved): back in line, in their places.
  func requeue(_ entries: [MergeEntry]) throws {
    try change(entries) { entry in
      if entry.phase == .gating { entry.phase = .waiting }
    }
  }

  /// What the merger made of an entry, for its `wt done` to report.
  func settle(_ entry: MergeEntry, _ outcome: MergeOutcome) throws {
    try change([entry]) { entry in
      entry.outcome = outcome
      entry.phase = outcome.phase
      if case .held(let why) = outcome { entry.reason = why }
    }
  }

  /// Changes the entries that are still the ones given (same ticket and
  /// owner: a `wt done` queued again meanwhile owns a new one).
  private func change(_ entries: [MergeEntry], _ body: (inout MergeEntry) -> Void) throws {
    guard !entries.isEmpty else { return }
    try world.store.update { state in
      for entry in entries {
        guard var current = state.merges[entry.worker], current.ticket == entry.ticket, current.pid == entry.pid else {
          continue
        }
        body(&current)
        current.updatedAt = Date()
        state.merges[entry.worker] = current
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
  /// shared by every checkout and every state directory): whoever holds it
  /// merges every waiting entry (`MergeTrain`).
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
