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
  /// new activity (a prompt submitted, a restart) or a person or wt says
  /// otherwise: a turn that ends or an idle notification never erases it.
  /// The agent's own question on its screen is not kept this way
  /// (`WorkerCondition.Origin.question`).
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
  /// A session began: a new agent process (a start, a restart, a resume)
  /// or `/clear` (Claude Code's SessionStart with `source` startup,
  /// resume or clear). Whatever the old session asked died with it.
  case sessionStarted
  /// The same conversation went on after a compaction (SessionStart with
  /// `source` compact), possibly in the middle of a turn: nothing changed.
  case compacted
  /// A prompt was submitted (UserPromptSubmit): new activity.
  case promptSubmitted
  /// The agent used a tool (PostToolUse): it is on a turn, past whatever
  /// its screen asked before.
  case toolUsed
  /// A turn ended (Stop); `apiError` when it ended on an API error that
  /// no one read (a Stop without a transcript to tell which).
  case turnEnded(apiError: Bool)
  /// A turn ended on the provider's limits, an overload or a refusal
  /// (Claude Code's StopFailure, or a transcript whose last record is an
  /// API error): limited, or needs-input when a person must act.
  case limitReached(LimitSignal)
  /// The agent sent a notification (Claude Code's Notification hook):
  /// a question that waits for a person, or only news.
  case notified(String?, Notice)
  /// Someone said what the state is: the agent or a person through `wt
  /// signal STATE`, or wt itself (`done`, a failed `wt done`, `stuck`).
  case declared(WorkerState, String?)
  /// The agent's own `wt done` failed (a gate, a conflict, a held merge)
  /// and it was told why: it is still on its turn, and the failure is
  /// what the worker says if the turn ends without a finished bead.
  case doneFailed(String)
  /// wt read the agent's screen and it asks nothing: the input box is
  /// there (`busy` false) or the agent works (`busy` true).
  case screenAsksNothing(busy: Bool)
  /// wt saw it: the agent exited or the session is gone.
  case observedDead(String)

  /// What a notification is, by Claude Code's `notification_type`
  /// (https://code.claude.com/docs/en/hooks#notification): only a question
  /// waits for a person.
  public enum Notice: Equatable, Sendable {
    /// A permission prompt, a question dialog, a login that needs
    /// attention (`permission_prompt`, `worker_permission_prompt`,
    /// `elicitation_dialog`, `agent_needs_input`, `auth_storage_failure`),
    /// or a type wt does not know.
    case question
    /// "Claude is waiting for your input" (`idle_prompt`), 60 s after a
    /// turn ended: idle is idle.
    case idle
    /// News that asks nothing and blocks nothing.
    case news
    /// The agent's own continuation after a usage limit fired
    /// (`quota_auto_resume_fired`): it works again by itself.
    case continued

    /// The types Claude Code 2.1.337 names that are only news: the
    /// documented `auth_success`, `elicitation_complete`,
    /// `elicitation_response`, and, found in its binary, a subagent that
    /// finished, an OS or plugin notification, computer use ending, and an
    /// automatic resume after a usage limit.
    static let newsTypes: Set<String> = [
      "auth_success", "elicitation_complete", "elicitation_response", "agent_completed", "push_notification",
      "plugin_notification", "computer_use_exit",
    ]

    /// Gemini CLI's `ToolPermission` and any type wt does not know count
    /// as a question, which a person can dismiss.
    public init(type: String, message: String?) {
      switch type {
      case "idle_prompt": self = .idle
      case "quota_auto_resume_fired": self = .continued
      case _ where Self.newsTypes.contains(type) || type.hasPrefix("quota_auto_resume"): self = .news
      // No type at all (an older agent): its idle message is still idle.
      case "" where (message ?? "").contains("waiting for your input"): self = .idle
      default: self = .question
      }
    }
  }
}

extension WorkerEvent {
  /// A short name for history.
  public var name: String {
    switch self {
    case .sessionStarted: HookEvent.sessionStart.rawValue
    case .compacted: "compacted"
    case .promptSubmitted: HookEvent.promptSubmitted.rawValue
    case .toolUsed: HookEvent.toolUsed.rawValue
    case .turnEnded(let apiError): apiError ? "stop-api-error" : HookEvent.stop.rawValue
    case .limitReached(let limit): "limit-\(limit.kind.rawValue)"
    case .notified: HookEvent.notification.rawValue
    case .declared(let s, _): s.rawValue
    case .doneFailed: "done-failed"
    case .screenAsksNothing: "screen"
    case .observedDead: "observed-dead"
    }
  }
}

/// A worker's state, the message that goes with it, and where it came
/// from, which decides what moves it on.
public struct WorkerCondition: Equatable, Sendable {
  public var state: WorkerState
  public var message: String?
  public var origin: Origin

  /// Where a state came from.
  public enum Origin: String, Codable, Equatable, Sendable {
    /// Someone said it (a person, the agent through `wt signal`, wt) or a
    /// hook reported it: a sticky state stays until a new prompt.
    case said
    /// The agent's own question on its screen (a Notification): anything
    /// the agent does after it (a tool use, a turn that ends, a restart)
    /// or a screen that asks nothing means it was answered.
    case question
    /// The agent's own `wt done` failed and it was told why; it works on.
    case failedDone = "failed-done"
  }

  public init(_ state: WorkerState, _ message: String? = nil, origin: Origin = .said) {
    self.state = state
    self.message = message
    self.origin = origin
  }

  /// The transition table. `current` is nil for a worker with no state yet.
  /// "Sticky" is needs-input or limited that someone said (not the agent's
  /// own question, which activity answers).
  ///
  /// | event               | from a sticky state | from the agent's question   | otherwise                              |
  /// |---------------------|---------------------|-----------------------------|----------------------------------------|
  /// | sessionStarted      | starting; limited   | starting                    | starting                               |
  /// |                     | stays               |                             |                                        |
  /// | compacted           | stays               | stays                       | stays                                  |
  /// | promptSubmitted     | working             | working                     | working                                |
  /// | toolUsed            | stays               | working                     | working (a working one keeps its word) |
  /// | turnEnded           | stays               | idle, or limited on error   | idle, limited; after a failed done     |
  /// |                     |                     |                             | needs-input with its reason            |
  /// | limitReached(l)     | stays               | limited, l's reason; needs- | limited, l's reason; needs-input when  |
  /// |                     |                     | input when a person must act| a person must act (billing, a key)     |
  /// | notified question   | needs-input (asked) | needs-input (asked)         | needs-input (asked)                    |
  /// | notified idle       | stays               | stays                       | working ends as a turn would; else stays |
  /// | notified news       | stays               | stays                       | stays                                  |
  /// | notified continued  | limited: working    | stays                       | stays                                  |
  /// | declared(s, m)      | s, m                | s, m                        | s, m                                   |
  /// | doneFailed(why)     | working, why        | working, why                | working, why                           |
  /// | screenAsksNothing   | stays               | working if busy, else idle  | stays                                  |
  /// | observedDead        | dead                | dead                        | dead (kept stays)                      |
  ///
  /// Done stays done except for a declaration. A new session does not
  /// lift a limit (the agent restarted during the pause, `--resume`d by
  /// wt); a prompt submitted does (wt's follow-up, a person's, or the
  /// agent's own continuation), and so does the agent's notice that it
  /// continued by itself. The record's `limit` is kept exactly while the
  /// state is limited, needs-input for a limit a person must lift, or dead
  /// (the agent exited during the pause: its next session starts limited
  /// again, `StatusSignal.record`).
  public static func next(after current: WorkerCondition?, on event: WorkerEvent) -> WorkerCondition {
    let state = current?.state
    let asked = state == .needsInput && current?.origin == .question
    let sticky = state?.isSticky == true && !asked
    if state == .done, !isDeclaration(event) { return current! }
    let unchanged = current ?? WorkerCondition(.starting)
    switch event {
    case .sessionStarted:
      return sticky && state == .limited ? unchanged : WorkerCondition(.starting)
    case .compacted:
      return unchanged
    case .promptSubmitted:
      return WorkerCondition(.working)
    case .toolUsed:
      if sticky { return unchanged }
      return state == .working ? unchanged : WorkerCondition(.working)
    case .turnEnded(let apiError):
      if sticky { return unchanged }
      if apiError { return WorkerCondition(.limited, "the turn ended on an API error or a rate limit") }
      if current?.origin == .failedDone, let why = current?.message {
        return WorkerCondition(.needsInput, "the agent ended its turn after \(why)")
      }
      return WorkerCondition(.idle)
    case .limitReached(let limit):
      if sticky { return unchanged }
      return WorkerCondition(limit.kind == .needsPerson ? .needsInput : .limited, limit.reason)
    case .notified(let message, .question):
      return WorkerCondition(.needsInput, message ?? "the agent is waiting for input", origin: .question)
    case .notified(_, .idle):
      // Stop did not come (a turn that failed): the idle notice ends it.
      return state == .working ? next(after: current, on: .turnEnded(apiError: false)) : unchanged
    case .notified(_, .news):
      return unchanged
    case .notified(_, .continued):
      return state == .limited ? WorkerCondition(.working) : unchanged
    case .declared(let s, let message):
      return WorkerCondition(s, message)
    case .doneFailed(let why):
      return WorkerCondition(.working, why, origin: .failedDone)
    case .screenAsksNothing(let busy):
      guard asked else { return unchanged }
      return WorkerCondition(busy ? .working : .idle)
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
