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
    public var shouldNotify: Bool { current.state.notifies && previous?.state != current.state }
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
      return .turnEnded(apiError: (hook["transcript_path"] as? String).map(Self.endedOnAPIError) == true)
    case .hook(.stopFailure):
      // Claude Code 2.1.337 fires StopFailure instead of Stop when a turn
      // ends on an API error (https://code.claude.com/docs/en/hooks).
      return .turnEnded(apiError: true)
    case .hook(.notification):
      let text = message ?? hook["message"] as? String
      let notice = WorkerEvent.Notice(type: hook["notification_type"] as? String ?? "", message: text)
      // The idle notice also follows a turn that failed (after
      // StopFailure, which an older wt did not hook): the transcript tells.
      if notice == .idle, (hook["transcript_path"] as? String).map(Self.endedOnAPIError) == true {
        return .turnEnded(apiError: true)
      }
      return .notified(text, notice)
    case .declared(let state):
      return .declared(state, message)
    }
  }

  /// Applies `event` to the worker named `worker` and records it in the
  /// history. A hook's session id follows `/clear` and resumes.
  @discardableResult
  public func record(worker: String, event: WorkerEvent, sessionID: String? = nil, at date: Date = Date()) throws
    -> Transition
  {
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
      let next = WorkerCondition.next(after: previous, on: event)
      if next != previous {
        r.status = next.state
        r.statusMessage = next.message
        r.statusOrigin = next.origin == .said ? nil : next.origin
        if next.state != previous?.state { r.statusAt = date }
      }
      // The hook proves the agent took a prompt.
      if event == .promptSubmitted { r.prompt = .delivered }
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

  /// Whether the transcript's last assistant record is an API error.
  static func endedOnAPIError(_ path: String) -> Bool {
    guard let handle = FileHandle(forReadingAtPath: path) else { return false }
    defer { try? handle.close() }
    let size = (try? handle.seekToEnd()) ?? 0
    try? handle.seek(toOffset: size > 65536 ? size - 65536 : 0)
    let tail = String(decoding: handle.readDataToEndOfFile(), as: UTF8.self)
    for line in tail.split(separator: "\n").reversed() {
      guard let record = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
        record["type"] as? String == "assistant"
      else { continue }
      return record["isApiErrorMessage"] as? Bool == true
    }
    return false
  }

  /// The worker whose worktree holds `directory`, from the state alone.
  public func worker(containing directory: String) throws -> String? {
    try store.load().worker(containing: directory)?.name
  }
}
