import Foundation

/// `wt signal EVENT [MESSAGE]`: a status event for one worker, from a
/// person, the agent or a Claude Code hook. Cheap (no tmux, git or bd) and
/// safe to call concurrently (the state is updated under a short lock).
public struct StatusSignal: Sendable {
  public static let events = [
    "starting", "working", "idle", "needs-input", "limited", "stuck", "done", "dead",
    // Claude Code hook names, mapped to statuses below.
    "session-start", "prompt-submitted", "stop", "notification",
  ]

  /// Statuses that ask for a person: `notify` runs when a worker turns one.
  public static let attention: Set<String> = ["needs-input", "stuck", "limited", "done"]

  public var store: StateStore

  public init(store: StateStore) { self.store = store }

  /// Applies `event` to the worker named `worker`; `hook` is the hook's
  /// JSON from stdin, if any. Returns the status before and the status
  /// recorded, so the caller can tell a person once per change.
  @discardableResult
  public func record(worker: String, event: String, message: String?, hook: [String: Any] = [:], at date: Date = Date())
    throws -> (previous: String?, status: String)
  {
    guard Self.events.contains(event) else {
      throw LifecycleError("unknown event '\(event)'; events: \(Self.events.joined(separator: ", "))")
    }
    let status: String
    var text = message
    switch event {
    case "session-start": status = "starting"
    case "prompt-submitted": status = "working"
    case "stop":
      // A turn that ended on an API error or rate limit looks like any
      // other end; only the transcript's last record tells.
      status = (hook["transcript_path"] as? String).map(Self.endedOnAPIError) == true ? "limited" : "idle"
    case "notification":
      status = "needs-input"
      text = text ?? hook["message"] as? String
    default: status = event
    }
    let sessionID = hook["session_id"] as? String
    let found = try store.update { state -> (Bool, String?) in
      guard var r = state.workers[worker] else { return (false, nil) }
      let previous = r.status
      r.status = status
      r.statusMessage = text
      r.statusAt = date
      // The hook proves the agent took a prompt.
      if event == "prompt-submitted" { r.prompt = .delivered }
      // /clear starts a new session; follow it so resume finds the right one.
      if let sessionID, event == "session-start" { r.sessionId = sessionID }
      state.workers[worker] = r
      return (true, previous)
    }
    guard found.0 else { throw LifecycleError("no worker '\(worker)' is recorded in \(store.directory)") }
    var detail = ["status": status]
    if let text { detail["message"] = text }
    if let sessionID { detail["session"] = sessionID }
    store.record("signal", worker: worker, detail: detail, at: date)
    return (found.1, status)
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
    let here = (directory as NSString).standardizingPath
    return try store.load().workers.values.first { here == $0.worktree || here.hasPrefix($0.worktree + "/") }?.name
  }
}
