import Foundation

/// What happened to a worker, as one line of `events.jsonl` says it.
///
/// The history is a contract: `wt seance` and the watcher read it, and
/// lines written by any earlier wt stay readable. A line is one flat JSON
/// object of strings, `{"event": name, "worker": …, "at": …, …payload}`;
/// only `StateStore.record` writes it and only `History` reads it, so the
/// names and payload keys live here and nowhere else.
public enum HistoryEvent: Equatable, Sendable {
  /// A session started for a bead (`adopted`: the bead was already wt's).
  case created(bead: String, session: String, worktree: String)
  case adopted(bead: String, session: String, worktree: String)
  /// The agent was started again; `resume` is the session it resumed, or
  /// empty when it started afresh.
  case restarted(bead: String, session: String, resume: String)
  /// The prompt went on the agent's command line; delivery is not proven.
  case promptSent
  case promptDelivered
  /// wt answered a question on the agent's screen (`agents.*.questions`).
  case questionAnswered(question: String)
  /// The bead's branch name was taken by other work; the worker uses
  /// `branch` instead of `existing`.
  case branchRenamed(branch: String, existing: String)
  /// A state change or a hook (`by`: the event's name), also one that
  /// changed nothing.
  case signal(status: WorkerState, by: String, message: String?, session: String?)
  case handoff(note: String)
  /// `wt done` found something to fix and told the agent.
  case followUp(status: String)
  case done(reason: String)
  /// Torn down; `kept` says why the worktree stayed, empty when it went.
  case deleted(kept: String)
  case abandoned(deleted: Bool)
  case forgotten
  /// A line this wt has no case for (from another version of wt): kept as
  /// it was, so reading never loses it.
  case other(name: String, detail: [String: String])

  /// The `event` value of the line.
  public var name: String { encoded.name }

  /// The session a line starts or names, for `wt seance`.
  var startedSession: (session: String, worktree: String)? {
    switch self {
    case .created(_, let session, let worktree), .adopted(_, let session, let worktree): (session, worktree)
    case .restarted(_, let session, _): (session, "")
    default: nil
    }
  }

  var encoded: (name: String, detail: [String: String]) {
    switch self {
    case .created(let bead, let session, let worktree):
      ("created", ["bead": bead, "session": session, "worktree": worktree])
    case .adopted(let bead, let session, let worktree):
      ("adopted", ["bead": bead, "session": session, "worktree": worktree])
    case .restarted(let bead, let session, let resume): ("restarted", ["bead": bead, "session": session, "resume": resume])
    case .promptSent: ("prompt-sent", [:])
    case .promptDelivered: ("prompt-delivered", [:])
    case .questionAnswered(let question): ("question-answered", ["question": question])
    case .branchRenamed(let branch, let existing): ("branch-renamed", ["branch": branch, "existing": existing])
    case .signal(let status, let by, let message, let session):
      ("signal", ["status": status.rawValue, "by": by].merging(["message": message, "session": session].compactMapValues { $0 }) { a, _ in a })
    case .handoff(let note): ("handoff", ["note": note])
    case .followUp(let status): ("follow-up", ["status": status])
    case .done(let reason): ("done", ["reason": reason])
    case .deleted(let kept): ("deleted", ["kept": kept])
    case .abandoned(let deleted): ("abandoned", ["deleted": deleted ? "yes" : "no"])
    case .forgotten: ("forgotten", [:])
    case .other(let name, let detail): (name, detail)
    }
  }

  /// Reads a line's event. Keys an older wt did not write read as empty
  /// (an `abandoned` line had no `deleted`); a name this wt does not know
  /// is `.other`.
  init(name: String, detail d: [String: String]) {
    let s = { (key: String) in d[key] ?? "" }
    switch name {
    case "created": self = .created(bead: s("bead"), session: s("session"), worktree: s("worktree"))
    case "adopted": self = .adopted(bead: s("bead"), session: s("session"), worktree: s("worktree"))
    case "restarted": self = .restarted(bead: s("bead"), session: s("session"), resume: s("resume"))
    case "prompt-sent": self = .promptSent
    case "prompt-delivered": self = .promptDelivered
    case "question-answered": self = .questionAnswered(question: s("question"))
    case "branch-renamed": self = .branchRenamed(branch: s("branch"), existing: s("existing"))
    case "signal" where WorkerState(rawValue: s("status")) != nil:
      self = .signal(status: WorkerState(rawValue: s("status"))!, by: s("by"), message: d["message"], session: d["session"])
    case "handoff": self = .handoff(note: s("note"))
    case "follow-up": self = .followUp(status: s("status"))
    case "done": self = .done(reason: s("reason"))
    case "deleted": self = .deleted(kept: s("kept"))
    case "abandoned": self = .abandoned(deleted: d["deleted"] == "yes")
    case "forgotten": self = .forgotten
    default: self = .other(name: name, detail: d)
    }
  }
}

/// One line of `events.jsonl`: which worker, when, what.
public struct HistoryEntry: Codable, Equatable, Sendable {
  public var worker: String
  /// ISO 8601, as written; kept as text so `wt seance` prints it as it is.
  public var at: String
  public var event: HistoryEvent

  public init(worker: String, at: String, event: HistoryEvent) {
    self.worker = worker
    self.at = at
    self.event = event
  }

  /// The line's own keys; a payload never overwrites them.
  static let ownKeys: Set<String> = ["event", "worker", "at"]

  /// A flat object of strings; a line whose values are not all strings
  /// is damaged. A missing key reads as empty, as it always has.
  public init(from decoder: any Decoder) throws {
    var line = try decoder.singleValueContainer().decode([String: String].self)
    let (name, worker, at) = (line["event"] ?? "", line["worker"] ?? "", line["at"] ?? "")
    for key in Self.ownKeys { line[key] = nil }
    self.init(worker: worker, at: at, event: HistoryEvent(name: name, detail: line))
  }

  public func encode(to encoder: any Encoder) throws {
    let (name, detail) = event.encoded
    var line = detail
    line["event"] = name
    line["worker"] = worker
    line["at"] = at
    var c = encoder.singleValueContainer()
    try c.encode(line)
  }
}
