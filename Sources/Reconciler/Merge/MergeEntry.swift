import Foundation

/// A finished worker in its repository's merge queue: what `wt queue`
/// lists, and what tells the reconciler to leave the bead alone while it
/// is being merged. Its `ticket` is its place in line (first come, first
/// served); whoever holds the repository's merge lock merges every waiting
/// entry and writes each one's `outcome`, which the `wt done` that queued
/// it (its `pid`) reads and reports.
public struct MergeEntry: Codable, Hashable, Sendable {
  public enum Phase: String, Codable, Hashable, Sendable {
    /// Queued; the next merger takes it in ticket order.
    case waiting
    /// In a batch being merged off-checkout and gated.
    case gating
    /// Merged into base by the merger; its `wt done` is finishing up.
    case merged
    /// Nothing merged because the person's checkout is busy (a merge in
    /// progress, local changes in the way); the loop merges it once free.
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
  /// Its place in line: taken once `wt done`'s own checks passed, kept
  /// while the entry is held.
  public var ticket: Int
  /// The commit `wt done` checked; what is merged, whatever the branch
  /// does meanwhile.
  public var tip: String?
  /// The bead's priority, for `merge.order: priority`.
  public var priority: Int?
  /// The batch it was last gated in: shared by the entries gated together;
  /// a bisection gives the halves new ids.
  public var batch: String?
  public var gatingSince: Date?
  /// What the merger made of it, for its `wt done` to report.
  public var outcome: MergeOutcome?

  public init(
    project: String, bead: String, worker: String, branch: String, pid: Int32, at date: Date, ticket: Int = 0,
    tip: String? = nil, priority: Int? = nil
  ) {
    self.project = project
    self.bead = bead
    self.worker = worker
    self.branch = branch
    phase = .waiting
    self.pid = pid
    queuedAt = date
    updatedAt = date
    self.ticket = ticket
    self.tip = tip
    self.priority = priority
  }

  enum CodingKeys: String, CodingKey {
    case project, bead, worker, branch, phase, reason, pid, queuedAt, updatedAt, ticket, tip, priority, batch
    case gatingSince, outcome
  }

  /// Entries written before tickets existed read as ticket 0.
  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    project = try c.decode(String.self, forKey: .project)
    bead = try c.decode(String.self, forKey: .bead)
    worker = try c.decode(String.self, forKey: .worker)
    branch = try c.decode(String.self, forKey: .branch)
    phase = try c.decode(Phase.self, forKey: .phase)
    reason = try c.decodeIfPresent(String.self, forKey: .reason)
    pid = try c.decode(Int32.self, forKey: .pid)
    queuedAt = try c.decode(Date.self, forKey: .queuedAt)
    updatedAt = try c.decode(Date.self, forKey: .updatedAt)
    ticket = try c.decodeIfPresent(Int.self, forKey: .ticket) ?? 0
    tip = try c.decodeIfPresent(String.self, forKey: .tip)
    priority = try c.decodeIfPresent(Int.self, forKey: .priority)
    batch = try c.decodeIfPresent(String.self, forKey: .batch)
    gatingSince = try c.decodeIfPresent(Date.self, forKey: .gatingSince)
    outcome = try c.decodeIfPresent(MergeOutcome.self, forKey: .outcome)
  }

  /// A `wt done` is working on it now: the bead must not be released,
  /// restarted or torn down under it.
  public var isActive: Bool { phase == .waiting || phase == .gating || phase == .merged }

  /// Seconds it waited before its gate started (or until now).
  public func waited(now: Date) -> Int { max(0, Int((gatingSince ?? now).timeIntervalSince(queuedAt))) }
}

/// What the merge queue made of one entry.
public enum MergeOutcome: Codable, Hashable, Sendable {
  /// Base moved to `commit` (the gated commit of its batch), `how`.
  case merged(commit: String, how: String, gated: [String])
  /// Merging would change nothing: base has the branch's changes.
  case alreadyInBase
  case conflict(files: [String])
  case gateFailed(command: [String], status: Int32, excerpt: String)
  /// Nothing merged; the person's checkout is in the way (why).
  case held(String)

  var phase: MergeEntry.Phase {
    switch self {
    case .merged, .alreadyInBase: .merged
    case .conflict, .gateFailed: .failed
    case .held: .held
    }
  }
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

  /// The ticket after every one taken.
  var nextMergeTicket: Int { (merges.values.map(\.ticket).max() ?? 0) + 1 }
}

/// Whether a process runs (signal 0 checks without sending anything).
public func processIsAlive(_ pid: Int32) -> Bool {
  pid > 0 && (kill(pid, 0) == 0 || errno == EPERM)
}
