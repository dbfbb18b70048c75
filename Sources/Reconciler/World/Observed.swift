import Foundation

/// A snapshot of the world, taken once per pass: what tmux, git and bd
/// show, what wt remembers, and how loaded the machine is. Plain data, so
/// `plan` can be tested on literals.
public struct Observed: Equatable, Sendable {
  public struct ProjectWorld: Equatable, Sendable {
    public var ready: [Bead]
    /// Every bead that is not closed, with every worker's bead that `bd
    /// show` says is not closed; a worker's bead missing here is closed.
    public var unclosed: [Bead]
    public var worktrees: [Worktree]
    /// Why this project could not be observed; the plan leaves it alone.
    public var error: String?
    /// Uncommitted files per worktree of a live worker, read only when more
    /// workers run than the manifest allows (what `--prune` may stop); a
    /// worktree missing here counts as holding work.
    public var uncommitted: [String: Int] = [:]

    public init(ready: [Bead] = [], unclosed: [Bead] = [], worktrees: [Worktree] = [], error: String? = nil) {
      self.ready = ready
      self.unclosed = unclosed
      self.worktrees = worktrees
      self.error = error
    }
  }

  /// Nil where the host cannot tell; admission then says it did not check.
  public struct Machine: Equatable, Sendable {
    public var cores: Int
    public var load1: Double?
    public var memoryAvailable: UInt64?
    public init(cores: Int, load1: Double?, memoryAvailable: UInt64?) {
      self.cores = cores
      self.load1 = load1
      self.memoryAvailable = memoryAvailable
    }
  }

  public var projects: [String: ProjectWorld]
  public var panes: [Pane]
  public var state: State
  public var machine: Machine
  /// Workers whose merge was held by the person's checkout (a merge in
  /// progress there) and whose checkout is free now: merged again.
  public var mergeHoldsCleared: Set<String> = []
  /// When the snapshot was taken: the plan compares reset times and
  /// budgets' days with it, and reads no clock of its own.
  public var now: Date
  /// The tokens each worker used per UTC day (`wt usage`'s rows, past
  /// workers too): read once per pass, so budgets are plain data to the
  /// plan.
  public var usage: [UsageRow] = []

  public init(projects: [String: ProjectWorld], panes: [Pane], state: State, machine: Machine, now: Date = Date()) {
    self.projects = projects
    self.panes = panes
    self.state = state
    self.machine = machine
    self.now = now
  }
}
