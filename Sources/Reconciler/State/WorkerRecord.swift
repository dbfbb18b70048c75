import Foundation

/// What wt remembers about a worker that the world cannot show: the agent's
/// session id, how far prompt delivery got, failures. Losing it never loses
/// work; workers are found by observing tmux, git and bd.
public struct WorkerRecord: Codable, Hashable, Sendable {
  public enum Prompt: String, Codable, Hashable, Sendable {
    /// Not sent yet.
    case pending
    /// Pasted and submitted, but not confirmed: a retry must check the
    /// screen before sending again, or the agent gets it twice.
    case sent
    /// The agent took it.
    case delivered
  }

  public var name: String
  public var project: String
  public var bead: String
  public var branch: String
  public var worktree: String
  public var sessionId: String?
  /// The agent profile it runs (a project may pick one per bead label).
  public var agent: String?
  /// The port handed to the worker in the project's `port_env`.
  public var port: Int?
  public var prompt: Prompt
  public var startFailures: Int
  public var restarts: Int
  /// Set when teardown kept the worktree because it holds work.
  public var retained: String?
  public var createdAt: Date
  public var status: WorkerState?
  public var statusMessage: String?
  public var statusAt: Date?
  /// The manifest that declared the worker (absolute), so that wt run
  /// anywhere for it (a hook, notify) uses the same one.
  public var manifest: String?
  /// That manifest was a repository's (so its notify runs only once
  /// trusted), not one the person named.
  public var manifestFromRepository: Bool?

  /// A start that failed before the agent ever took its prompt: a bead's
  /// failure count, not a worker (no row, nothing to restart).
  public var neverStarted: Bool { prompt == .pending && startFailures > 0 }

  /// The state and its message, for the transition table.
  public var condition: WorkerCondition? { status.map { WorkerCondition($0, statusMessage) } }

  public init(name: String, project: String, bead: String, branch: String, worktree: String, createdAt: Date) {
    self.name = name
    self.project = project
    self.bead = bead
    self.branch = branch
    self.worktree = worktree
    self.prompt = .pending
    self.startFailures = 0
    self.restarts = 0
    self.createdAt = createdAt
  }
}

/// Everything in the state file.
public struct State: Codable, Hashable, Sendable {
  public var workers: [String: WorkerRecord] = [:]
  public init(workers: [String: WorkerRecord] = [:]) { self.workers = workers }

  /// The worker whose worktree holds `directory`, by canonical path.
  public func worker(containing directory: String) -> WorkerRecord? {
    let here = CanonicalPath.of(directory)
    return workers.values.first {
      let tree = CanonicalPath.of($0.worktree)
      return here == tree || here.hasPrefix(tree + "/")
    }
  }
}
