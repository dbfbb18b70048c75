import Foundation

/// `wt signal EVENT [MESSAGE]` and every other change of a worker's state:
/// from a person, the agent, a Claude Code hook or wt itself. Cheap (no
/// tmux, git or bd) and safe to call concurrently (the state is updated
/// under a short lock). Transitions follow `WorkerCondition.next`.
public struct StatusSignal: Sendable {
  public var store: StateStore

  public init(store: StateStore) { self.store = store }

  /// A state change: what it was, what it is, and whether a person should
  /// be told (a transition into a state that `notifies`).
  public struct Transition: Sendable {
    public var record: WorkerRecord
    public var previous: WorkerCondition?
    public var current: WorkerCondition
    public var shouldNotify: Bool {
      guard previous?.state != current.state else { return false }
      // A pause is told, and so is the end of one: the worker works again.
      return current.state.notifies || resumed
    }
    /// It was limited and works again (wt's follow-up, the agent's own
    /// continuation, a person's prompt).
    public var resumed: Bool { previous?.state == .limited && current.state == .working }
  }

  /// Reads a hook's or a person's event. `hook` is the hook's JSON from
  /// stdin, if any.
  public static func event(_ signal: SignalEvent, message: String?, hook: [String: Any] = [:]) -> WorkerEvent {
    switch signal {
    case .hook(.sessionStart):
      // A compaction keeps the conversation (and may come mid-turn); a
      // start, a resume or /clear is a new session.
      return hook["source"] as? String == "compact" ? .compacted : .sessionStarted
    case .hook(.promptSubmitted): return .promptSubmitted
    case .hook(.toolUsed): return .toolUsed
    case .hook(.stop):
      // A turn that ended on an API error or rate limit looks like any
      // other end; only the transcript's last record tells.
      return limitEvent(error: nil, hook: hook) ?? .turnEnded(apiError: false)
    case .hook(.stopFailure):
      // Claude Code 2.1.337 fires StopFailure instead of Stop when a turn
      // ends on an API error (https://code.claude.com/docs/en/hooks): its
      // `error` says which, the transcript's last record when it resets.
      let error = (hook["error"] as? String).flatMap { $0.isEmpty ? nil : $0 } ?? "unknown"
      return limitEvent(error: error, hook: hook) ?? .turnEnded(apiError: true)
    case .hook(.notification):
      let text = message ?? hook["message"] as? String
      let notice = WorkerEvent.Notice(type: hook["notification_type"] as? String ?? "", message: text)
      // The idle notice also follows a turn that failed (after
      // StopFailure, which an older wt did not hook): the transcript tells.
      if notice == .idle, let limit = limitEvent(error: nil, hook: hook) { return limit }
      return .notified(text, notice)
    case .declared(let state):
      return .declared(state, message)
    }
  }

  /// What a hook says of a turn's limits: StopFailure's `error` (nil from
  /// a Stop or an idle notice, where only the transcript can tell) with the
  /// transcript's last record. Nil: the turn did not end on an API error.
  static func limitEvent(error: String?, hook: [String: Any]) -> WorkerEvent? {
    let path = hook["transcript_path"] as? String
    var record = path.flatMap(LimitReading.lastAPIError)
    // StopFailure may run before Claude Code has written the error record
    // (seen on 2.1.337: the reset was missing from a usage limit's hook
    // and in the transcript a moment later): give it a moment.
    for _ in 0..<15 where record == nil && error != nil && path != nil {
      usleep(100_000)
      record = path.flatMap(LimitReading.lastAPIError)
    }
    guard error != nil || record != nil else { return nil }
    let message = hook["last_assistant_message"] as? String
    return LimitReading.classify(error: error, record: record, hookMessage: message, now: Date()).map(WorkerEvent.limitReached)
  }

  /// Applies `event` to the worker named `worker` and records it in the
  /// history. A hook's session id follows `/clear` and resumes. A limit's
  /// backoff is drawn with `jitter` (0..<1).
  @discardableResult
  public func record(
    worker: String, event: WorkerEvent, sessionID: String? = nil, at date: Date = Date(),
    jitter: Double = .random(in: 0..<1)
  ) throws -> Transition {
    // A tool use is the commonest hook and mostly changes nothing: the
    // state file is read, not rewritten, and it is no history.
    if event == .toolUsed, let r = try store.load().workers[worker], let condition = r.condition,
      WorkerCondition.next(after: condition, on: event) == condition
    {
      return Transition(record: r, previous: condition, current: condition)
    }
    let found = try store.update { state -> Transition? in
      guard var r = state.workers[worker] else { return nil }
      let previous = r.condition
      var next = WorkerCondition.next(after: previous, on: event)
      // A limit outlives the agent's process: a worker that died during
      // its pause and got a new session is limited again, not starting.
      if event == .sessionStarted, next.state == .starting, let limit = r.limit {
        next = WorkerCondition(limit.kind == .needsPerson ? .needsInput : .limited, limit.reason)
      }
      if next != previous {
        r.status = next.state
        r.statusMessage = next.message
        r.statusOrigin = next.origin == .said ? nil : next.origin
        if next.state != previous?.state { r.statusAt = date }
      }
      // The hook proves the agent took a prompt.
      if event == .promptSubmitted { r.prompt = .delivered }
      Self.followLimit(&r, event: event, previous: previous, next: next, at: date, jitter: jitter)
      if let sessionID, event == .sessionStarted, SessionID.isValid(sessionID) { r.sessionId = sessionID }
      state.workers[worker] = r
      return Transition(record: r, previous: previous, current: next)
    }
    guard let found else { throw LifecycleError("no worker '\(worker)' is recorded in \(store.directory)") }
    // Every event is history, also one that changed nothing (a Stop after
    // a call for help): what happened, not only what it did.
    store.record(
      .signal(status: found.current.state, by: event.name, message: found.current.message, session: sessionID),
      worker: worker, at: date)
    return found
  }

  /// Runs the agent's own `wt done` (`body`, inside its worker). The agent
  /// reads why it failed, but a turn that then ends must not leave the
  /// worker idle with no word: the failure is recorded (`doneFailed`), and
  /// a Stop without a finished bead turns it into needs-input.
  public func recordingFailedDone<T>(worker: String, _ body: () async throws -> T) async throws -> T {
    do {
      return try await body()
    } catch {
      _ = try? record(worker: worker, event: .doneFailed(Self.failedDoneMessage(error)))
      throw error
    }
  }

  /// What a failed `wt done` says, in one line for the status: its first
  /// line, without the instructions that follow for the agent.
  public static func failedDoneMessage(_ error: any Error) -> String {
    let text = (error as? LifecycleError)?.message ?? describe(error)
    var line = String(text.split(separator: "\n").first ?? "")
    if let cut = line.range(of: " What to do:") { line = String(line[..<cut.lowerBound]) }
    return "'wt done' failed: " + line
  }

  /// Keeps the record's `limit` with its state (see `WorkerCondition.next`):
  /// set when a limit is reached (its tries are wt's resumes since the last
  /// turn that ended well), kept while the worker is limited or waits for
  /// a person over it, dropped otherwise. A turn that ends well forgets the
  /// resumes.
  /// The same limit told again (the idle notice a minute after
  /// StopFailure) keeps the one recorded, and its time.
  static func followLimit(
    _ r: inout WorkerRecord, event: WorkerEvent, previous: WorkerCondition?, next: WorkerCondition, at date: Date,
    jitter: Double
  ) {
    if case .limitReached(let signal) = event, next.state == .limited || next.state == .needsInput,
      next.message == signal.reason, r.limit == nil || previous?.state != next.state
    {
      r.limit = signal.limit(tries: r.limitResumes ?? 0, now: date, jitter: jitter)
    } else if next.state != .limited && next.state != .needsInput && next.state != .dead {
      // Dead keeps it: the agent exited during the pause, and its new
      // session is still limited.
      r.limit = nil
    } else if next.state == .needsInput && r.limit?.kind != .needsPerson {
      // Someone asked for a person about something else.
      r.limit = nil
    }
    if event == .turnEnded(apiError: false) { r.limitResumes = nil }
    // Claude Code's own continuation lives only in the process that hit
    // the limit (docs/limits.md): a new session has none armed.
    if event == .sessionStarted { r.limit?.agentContinues = nil }
  }

  /// The worker whose worktree holds `directory`, from the state alone.
  public func worker(containing directory: String) throws -> String? {
    try store.load().worker(containing: directory)?.name
  }
}
