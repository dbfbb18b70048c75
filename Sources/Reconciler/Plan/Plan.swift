import Foundation

/// What `wt apply` would do to move the world to what wt.yaml declares: a
/// value, printed by `wt diff` and executed by `wt apply`.
///
/// It holds no handles and reads nothing; the same plan renders the same
/// way every time. Don't use it to remember anything between passes: each
/// pass plans afresh from what it observes.
public struct Plan: Equatable, Sendable {
  public enum Action: Character, Sendable {
    case create = "+"
    case update = "~"
    case delete = "-"

    public var word: String {
      switch self {
      case .create: "create"
      case .update: "update"
      case .delete: "delete"
      }
    }
  }

  /// What exactly a change does, for apply.
  public enum Step: Equatable, Sendable {
    /// Claim, worktree, session, agent, prompt. `adopt`: the bead is already
    /// wt's, so the existing worktree and branch are reused.
    case start(adopt: Bool)
    /// The agent exited; start it again, resuming its session when it can.
    case restartAgent(resumeSession: String?)
    /// The agent runs but has not taken its prompt.
    case deliverPrompt
    /// The worktree vanished under a live session (deleted by hand): stop
    /// the session and start again from the branch, which keeps every
    /// commit.
    case recreate
    /// Its `wt done` was held by the person's checkout, which is free
    /// now: merge it as `wt done` would (gate, close, tear down).
    case retryMerge
    /// Its agent stopped on a limit whose time has come (or a person said
    /// `wt resume`): dismiss a dialog that blocks the input, then deliver
    /// the follow-up once, verified.
    case resumeAfterLimit
    /// It hit the limit again after `settings.limits.max_resumes` resumes:
    /// needs-input with the reason; the clock no longer resumes it.
    case limitNeedsPerson(String)
    /// Stop the session, remove the worktree only if it holds no work,
    /// release the bead when it is still open.
    case teardown(releaseBead: Bool)

    /// What the step does to the worker, as `wt diff` shows it: only a
    /// start creates one and only a teardown deletes one, so the two can
    /// never disagree.
    public var action: Action {
      switch self {
      case .start: .create
      case .restartAgent, .deliverPrompt, .recreate, .retryMerge, .resumeAfterLimit, .limitNeedsPerson: .update
      case .teardown: .delete
      }
    }
  }

  public struct Change: Equatable, Sendable {
    public var step: Step
    public var action: Action { step.action }
    public var project: String
    public var bead: String
    public var title: String
    public var worker: String
    public var branch: String
    public var worktree: String
    public var session: String
    public var agent: String
    public var reasons: [String]
    /// The account (`accounts:`) it runs on; nil for its agent's implicit
    /// one. A start chooses it; a live worker keeps the one it has.
    public var account: String? = nil
  }

  /// A selected bead that does not start in this pass, and why.
  public struct Waiting: Equatable, Sendable {
    /// Why, as a closed set: the loop comes back soon for what may change
    /// by itself (the machine's load), not for what needs a person.
    public enum Cause: String, Equatable, Sendable {
      case noSlot = "no_slot"
      case admission
      case failureBudget = "failure_budget"
      case untrusted
      /// Every account the project may use is paused on a usage limit
      /// (or billing) until a time, or unknown.
      case accountLimited = "account_limited"
      /// The project's or the day's budget is spent.
      case budget
    }
    public var cause: Cause
    public var project: String
    public var bead: String
    public var title: String
    public var priority: Int
    public var reason: String
    /// When what it waits for is over, where that is known (an account's
    /// reset): the loop comes back then.
    public var until: Date? = nil
  }

  /// Something a person should know that is not a change: a kept worktree,
  /// drift, a project that could not be observed.
  public struct Note: Equatable, Sendable {
    public var project: String
    public var text: String
  }

  public var changes: [Change] = []
  public var waiting: [Waiting] = []
  public var notes: [Note] = []

  public init(changes: [Change] = [], waiting: [Waiting] = [], notes: [Note] = []) {
    self.changes = changes
    self.waiting = waiting
    self.notes = notes
  }

  public var isEmpty: Bool { changes.isEmpty }

  public func count(_ action: Action) -> Int { changes.filter { $0.action == action }.count }
}

extension WorkerRecord {
  /// A fresh record for the worker a change acts on.
  init(for change: Plan.Change) {
    self.init(
      name: change.worker, project: change.project, bead: change.bead, branch: change.branch,
      worktree: change.worktree, createdAt: Date())
    title = change.title.isEmpty ? nil : change.title
    account = change.account
  }
}
