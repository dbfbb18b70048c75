/// What a worker is doing, as a person glancing at the hub needs to know
/// it. One enum, one transition table (`next(after:on:)`): every place that
/// asks "does this need a person" asks `needsPerson`.
public enum WorkerState: String, Codable, CaseIterable, Sendable, Comparable {
  /// The session is starting or the agent has not taken its prompt.
  case starting
  /// The agent is on a turn.
  case working
  /// The turn ended and the bead is not done.
  case idle
  /// The agent or a person asked for a person, or a `wt done` failed in a
  /// way the agent cannot fix.
  case needsInput = "needs-input"
  /// The turn ended on an API error or a rate limit.
  case limited
  /// No progress: the restart budget is spent.
  case stuck
  /// The session or the agent is gone.
  case dead
  /// The bead is finished.
  case done
  /// The worker is gone; its worktree was kept because it holds work.
  case kept
  /// The record's project is no longer in wt.yaml.
  case orphaned

  /// A person should look.
  public var needsPerson: Bool {
    switch self {
    case .needsInput, .limited, .stuck, .dead: true
    default: false
    }
  }

  /// A transition into this state tells the person (`settings.notify`).
  public var notifies: Bool { needsPerson || self == .done }

  /// Raised by someone and kept, with its message, until the agent shows
  /// new activity (a prompt submitted) or a person or wt says otherwise: a
  /// turn that ends or an idle notification never erases it.
  public var isSticky: Bool { self == .needsInput || self == .limited }

  /// A session runs (or should) for it.
  public var isLive: Bool {
    switch self {
    case .starting, .working, .idle, .needsInput, .limited, .stuck: true
    default: false
    }
  }

  /// What needs a person first, then the rest.
  public static func < (a: WorkerState, b: WorkerState) -> Bool { a.urgency < b.urgency }

  var urgency: Int {
    switch self {
    case .needsInput: 0
    case .stuck: 1
    case .dead: 2
    case .limited: 3
    case .starting, .working, .idle: 4
    case .done: 5
    case .kept: 6
    case .orphaned: 7
    }
  }

  /// A state written by a newer or older wt that this one does not know
  /// reads as `starting` (the screen decides), never as a damaged file.
  public init(from decoder: any Decoder) throws {
    let raw = try decoder.singleValueContainer().decode(String.self)
    self = WorkerState(rawValue: raw) ?? .starting
  }
}

/// Something that happened to a worker.
public enum WorkerEvent: Equatable, Sendable {
  /// A session began (Claude Code's SessionStart, also after /clear or a
  /// resume).
  case sessionStarted
  /// A prompt was submitted (UserPromptSubmit): new activity.
  case promptSubmitted
  /// A turn ended (Stop); `apiError` when it ended on an API error.
  case turnEnded(apiError: Bool)
  /// The agent waits for the person (Notification): idle for a while, or,
  /// with `permission`, asking to use a tool — which is new activity: it
  /// got past whatever it asked before.
  case agentWaiting(String?, permission: Bool)
  /// Someone said what the state is: the agent or a person through `wt
  /// signal STATE`, or wt itself (`done`, a failed `wt done`, `stuck`).
  case declared(WorkerState, String?)
  /// wt saw it: the agent exited or the session is gone.
  case observedDead(String)
}

extension WorkerEvent {
  /// A short name for history.
  public var name: String {
    switch self {
    case .sessionStarted: "session-start"
    case .promptSubmitted: "prompt-submitted"
    case .turnEnded(let apiError): apiError ? "stop-api-error" : "stop"
    case .agentWaiting: "notification"
    case .declared(let s, _): s.rawValue
    case .observedDead: "observed-dead"
    }
  }
}

/// A worker's state and the message that goes with it.
public struct WorkerCondition: Equatable, Sendable {
  public var state: WorkerState
  public var message: String?

  public init(_ state: WorkerState, _ message: String? = nil) {
    self.state = state
    self.message = message
  }

  /// The transition table. `current` is nil for a worker with no state yet.
  ///
  /// | event            | from a sticky state (needs-input, limited) | from done      | otherwise                 |
  /// |------------------|--------------------------------------------|----------------|---------------------------|
  /// | sessionStarted   | stays                                      | stays          | starting                  |
  /// | promptSubmitted  | working                                    | stays          | working                   |
  /// | turnEnded        | stays                                      | stays          | idle, or limited on error |
  /// | agentWaiting     | stays (its message kept); a permission ask | stays          | needs-input               |
  /// |                  | replaces it                                |                |                           |
  /// | declared(s, m)   | s, m                                       | s, m           | s, m                      |
  /// | observedDead     | dead                                       | stays          | dead (kept stays)         |
  public static func next(after current: WorkerCondition?, on event: WorkerEvent) -> WorkerCondition {
    let state = current?.state
    let sticky = state?.isSticky == true
    if state == .done, !isDeclaration(event) { return current! }
    switch event {
    case .sessionStarted:
      return sticky ? current! : WorkerCondition(.starting)
    case .promptSubmitted:
      return WorkerCondition(.working)
    case .turnEnded(let apiError):
      if sticky { return current! }
      return apiError ? WorkerCondition(.limited, "the turn ended on an API error or a rate limit") : WorkerCondition(.idle)
    case .agentWaiting(let message, let permission):
      if sticky && !permission { return current! }
      return WorkerCondition(.needsInput, message ?? "the agent is waiting for input")
    case .declared(let s, let message):
      return WorkerCondition(s, message)
    case .observedDead(let why):
      if state == .kept { return current! }
      return WorkerCondition(.dead, why)
    }
  }

  static func isDeclaration(_ event: WorkerEvent) -> Bool {
    if case .declared = event { return true }
    return false
  }
}
