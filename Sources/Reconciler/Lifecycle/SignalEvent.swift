/// The events agents' hooks report through `wt signal`: one vocabulary for
/// the hook settings wt writes (`ClaudeHooks`), what `wt signal` reads and
/// what the history says (`WorkerEvent.name`).
public enum HookEvent: String, CaseIterable, Sendable {
  /// A session started, resumed, was cleared or compacted (the hook's
  /// `source` tells which).
  case sessionStart = "session-start"
  /// The agent took a prompt: delivery is proven.
  case promptSubmitted = "prompt-submitted"
  /// A tool ran: activity, past any permission question.
  case toolUsed = "tool-used"
  /// A turn ended.
  case stop
  /// A turn ended on an API error (Claude Code's StopFailure,
  /// https://code.claude.com/docs/en/hooks).
  case stopFailure = "stop-failure"
  /// The agent asks or tells something (`notification_type` says which).
  case notification
}

/// Everything `wt signal EVENT` accepts: a hook's event, or a state that
/// an agent or a person declares (`wt signal needs-input "why"`). A name
/// outside this set is a usage error, so it is refused before any state
/// is read.
public enum SignalEvent: Hashable, Sendable {
  case hook(HookEvent)
  case declared(WorkerState)

  /// States someone may say a worker is in. `kept` and `orphaned` are what
  /// wt observes of a worker that is gone, never something said of one.
  public static let declarable = WorkerState.allCases.filter { ![.kept, .orphaned].contains($0) }
}

extension SignalEvent: RawRepresentable, CaseIterable {
  public init?(rawValue: String) {
    if let hook = HookEvent(rawValue: rawValue) {
      self = .hook(hook)
    } else if let state = WorkerState(rawValue: rawValue), Self.declarable.contains(state) {
      self = .declared(state)
    } else {
      return nil
    }
  }

  public var rawValue: String {
    switch self {
    case .hook(let event): event.rawValue
    case .declared(let state): state.rawValue
    }
  }

  /// States first, then hook events, as `wt signal --help` lists them.
  public static let allCases: [SignalEvent] = declarable.map(Self.declared) + HookEvent.allCases.map(Self.hook)
}
