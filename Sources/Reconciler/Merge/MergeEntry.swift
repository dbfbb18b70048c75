import Foundation

/// A finished worker in its repository's merge queue: what `wt queue`
/// lists, and what tells the reconciler to leave the bead alone while it
/// is being merged.
public struct MergeEntry: Codable, Hashable, Sendable {
  public enum Phase: String, Codable, Hashable, Sendable {
    /// Queued behind another merge of the same repository.
    case waiting
    /// Holding the merge lock: merged off-checkout, the gate runs on it.
    case gating
    /// Nothing merged because the person's checkout is busy (a merge in
    /// progress, local changes in the way); `wt done` again merges it.
    case held
    /// A conflict or a failing gate; the worker was told what to fix.
    case failed
    /// The `wt done` that queued it is gone (seen when observing, never
    /// written).
    case interrupted
  }

  public var project: String
  public var bead: String
  public var worker: String
  public var branch: String
  public var phase: Phase
  /// Why it is held or failed, as a person reads it.
  public var reason: String?
  /// The `wt done` process that owns the entry.
  public var pid: Int32
  public var queuedAt: Date
  public var updatedAt: Date

  public init(project: String, bead: String, worker: String, branch: String, pid: Int32, at date: Date) {
    self.project = project
    self.bead = bead
    self.worker = worker
    self.branch = branch
    phase = .waiting
    self.pid = pid
    queuedAt = date
    updatedAt = date
  }

  /// A `wt done` is working on it now: the bead must not be released,
  /// restarted or torn down under it.
  public var isActive: Bool { phase == .waiting || phase == .gating }
}

extension State {
  /// Whether the worker's bead is being merged right now.
  public func isMerging(_ worker: String) -> Bool { merges[worker]?.isActive == true }

  /// Active entries whose `wt done` died are shown as interrupted, so a
  /// crashed merge never holds a bead back.
  public func markingInterruptedMerges(alive: (Int32) -> Bool) -> State {
    var copy = self
    for (name, entry) in merges where entry.isActive && !alive(entry.pid) {
      copy.merges[name]?.phase = .interrupted
    }
    return copy
  }
}

/// Whether a process runs (signal 0 checks without sending anything).
public func processIsAlive(_ pid: Int32) -> Bool {
  pid > 0 && (kill(pid, 0) == 0 || errno == EPERM)
}
