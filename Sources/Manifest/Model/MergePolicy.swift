/// `merge:` on a project or under `settings:`: how the merge queue of a
/// repository takes its waiting entries (docs/merge-queue.md). Each field
/// is nil where it was not written; a project's fields win over the
/// settings', and wt's defaults fill the rest (`resolved`).
public struct MergePolicy: Hashable, Sendable {
  public enum Order: String, Hashable, Sendable, CaseIterable {
    /// First come, first served: the order of the tickets.
    case fifo
    /// The bead's priority first (0 is the highest), then the ticket.
    case priority
  }

  /// How many entries are gated together; 1 is one at a time.
  public var batch: Int?
  /// How many gates run at once: while batch A is gated, A+B is gated too.
  public var parallel: Int?
  public var order: Order?

  public static let defaultBatch = 8
  public static let defaultParallel = 2

  public init(batch: Int? = nil, parallel: Int? = nil, order: Order? = nil) {
    self.batch = batch
    self.parallel = parallel
    self.order = order
  }

  /// Fields written here win; the rest come from `lower`.
  public func filling(from lower: MergePolicy?) -> MergePolicy {
    MergePolicy(batch: batch ?? lower?.batch, parallel: parallel ?? lower?.parallel, order: order ?? lower?.order)
  }

  /// Every field set: wt's defaults where nothing was written, and
  /// `parallel` capped at `cap` (what the admission limits let the machine
  /// carry: each gate is roughly one busy core).
  public func resolved(parallelCap cap: Int) -> (batch: Int, parallel: Int, order: Order) {
    (batch ?? Self.defaultBatch, max(1, min(parallel ?? Self.defaultParallel, max(1, cap))), order ?? .fifo)
  }
}

/// `gate_cache:` on a project: the merge queue keeps its gate worktrees and
/// reuses them, cleaned of everything but `keep`; `setup` reruns in a
/// reused one only when a `key` file's content changed.
public struct GateCache: Hashable, Sendable {
  /// Files whose content decides whether `setup` must run again
  /// (`package-lock.json`, `requirements.txt`).
  public var key: [String]
  /// Paths the cleaning leaves in place (`node_modules/`, `.venv/`).
  public var keep: [String]

  public init(key: [String], keep: [String]) {
    self.key = key
    self.keep = keep
  }
}
