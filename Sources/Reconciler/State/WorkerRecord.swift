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
  /// The bead's title when the worker started: a closed bead is no longer
  /// listed, and a finished or kept worker's row still says what it was.
  public var title: String?
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
  /// Where the status came from, when not from someone saying it (nil):
  /// the agent's own question, or its own failed `wt done`.
  public var statusOrigin: WorkerCondition.Origin?
  /// The base commit the branch was made from: a `wt/<bead>` branch that
  /// does not descend from it is not wt's and is never reused.
  public var baseCommit: String?
  /// Files `copy:` put into the worktree, with their git blob ids then, so
  /// teardown can tell an edited copy (work) from an untouched one.
  public var copied: [String: String]?
  /// Set when the worktree is made, cleared once `copy:` and `setup:` ran
  /// through: a start that failed there runs them again on the next one,
  /// never an agent in a worktree whose setup failed.
  public var setupPending: Bool?
  /// The manifest that declared the worker (absolute), so that wt run
  /// anywhere for it (a hook, notify) uses the same one.
  public var manifest: String?
  /// That manifest was a repository's (so its notify runs only once
  /// trusted), not one the person named.
  public var manifestFromRepository: Bool?
  /// The host whose share of that manifest it is (`WT_HOST`), when another
  /// machine's wt drives this one: wt run later for the worker from a
  /// shell without `WT_HOST` must read the same share.
  public var manifestHost: String?
  /// The account (`accounts:` in wt.yaml) whose credentials the agent runs
  /// with; nil for the implicit one account of its agent.
  public var account: String?
  /// Set while the agent is stopped on a usage limit, an overload, billing
  /// or a budget: what the loop waits for before it resumes the worker.
  public var limit: Limit?
  /// The pull request `wt done` opened (`on_done: pr`, `pr-auto`), which
  /// the loop follows until it merges or closes.
  public var pullRequest: PullRequestRecord?
  /// wt's resumes after a limit since the last turn that ended well: a
  /// limit hit again counts them (`Limit.tries`), and after
  /// `settings.limits.max_resumes` a person is asked.
  public var limitResumes: Int?
  /// `wt hold`: the clock never resumes this worker from a limit; only
  /// `wt resume` does (and lifts the hold).
  public var held: Bool?

  /// A limited worker the clock resumes (a reset or a backoff time known,
  /// not held) waits on time, not on a person; the loop's next pass after
  /// that time moves it on.
  public var resumesByClock: Bool {
    status == .limited && held != true && limit?.resumeAt(worker: name) != nil
  }

  /// Whether only a person moves it on ("N need you"): a state that needs
  /// one, but never a limit the clock lifts by itself.
  public var needsPerson: Bool { (status?.needsPerson ?? false) && !resumesByClock }

  /// A start that failed before the agent ever took its prompt: a bead's
  /// failure count, not a worker (no row, nothing to restart).
  public var neverStarted: Bool { prompt == .pending && startFailures > 0 }

  /// The state and its message, for the transition table.
  public var condition: WorkerCondition? {
    status.map { WorkerCondition($0, statusMessage, origin: statusOrigin ?? .said) }
  }

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
  /// The merge queue, by worker name.
  public var merges: [String: MergeEntry] = [:]

  public init(workers: [String: WorkerRecord] = [:], merges: [String: MergeEntry] = [:]) {
    self.workers = workers
    self.merges = merges
  }

  enum CodingKeys: String, CodingKey { case workers, merges }

  // State files written before the merge queue have no `merges`.
  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    workers = try c.decodeIfPresent([String: WorkerRecord].self, forKey: .workers) ?? [:]
    merges = try c.decodeIfPresent([String: MergeEntry].self, forKey: .merges) ?? [:]
  }

  /// The worker whose worktree holds `directory`, by canonical path.
  public func worker(containing directory: String) -> WorkerRecord? {
    let here = CanonicalPath.of(directory)
    return workers.values.first {
      let tree = CanonicalPath.of($0.worktree)
      return here == tree || here.hasPrefix(tree + "/")
    }
  }
}
