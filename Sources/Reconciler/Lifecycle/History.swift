import Foundation

/// A bead's past sessions, read from `events.jsonl`.
public struct PastSession: Codable, Equatable, Sendable {
  public var worker: String
  public var session: String
  public var started: String
  public var worktree: String
  public var ended: String?
  /// How it ended: done, deleted, abandoned, restarted, or nil while it runs.
  public var end: String?

  /// `ended` and `end` are null while it runs, never missing
  /// (docs/json.md).
  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(worker, forKey: .worker)
    try c.encode(session, forKey: .session)
    try c.encode(started, forKey: .started)
    try c.encode(worktree, forKey: .worktree)
    try c.encode(ended, forKey: .ended)
    try c.encode(end, forKey: .end)
  }
}

public struct History: Sendable {
  public var store: StateStore

  public init(store: StateStore) { self.store = store }

  /// Every readable line of `events.jsonl`. A line with bad bytes or cut
  /// short (a crash mid-write) is skipped and counted, never the rest.
  func events() -> (events: [[String: String]], damaged: Int) {
    guard let data = FileManager.default.contents(atPath: store.eventsFile) else { return ([], 0) }
    var events: [[String: String]] = []
    var damaged = 0
    for line in data.split(separator: UInt8(ascii: "\n")) where !line.isEmpty {
      guard String(bytes: line, encoding: .utf8) != nil,
        let event = (try? JSONSerialization.jsonObject(with: Data(line))) as? [String: String]
      else {
        damaged += 1
        continue
      }
      events.append(event)
    }
    return (events, damaged)
  }

  /// Lines of history that could not be read, for a warning said once.
  public var damagedLines: Int { events().damaged }

  /// Newest first.
  public func sessions(bead: String) -> [PastSession] {
    var out: [PastSession] = []
    var open: [String: Int] = [:]  // worker → index of its running session
    for e in events().events {
      guard let worker = e["worker"], worker == bead || worker.hasSuffix("/\(bead)"), let event = e["event"] else { continue }
      let at = e["at"] ?? ""
      switch event {
      case "created", "adopted", "restarted":
        if let i = open[worker], out[i].end == nil, out[i].session != (e["session"] ?? "") {
          out[i].end = "restarted"
          out[i].ended = at
        }
        // Agents without session ids still have sessions; they show as "".
        let session = e["session"] ?? ""
        if let i = open[worker], out[i].session == session, out[i].end == nil { continue }
        out.append(PastSession(worker: worker, session: session, started: at, worktree: e["worktree"] ?? "", ended: nil, end: nil))
        open[worker] = out.count - 1
      case "done", "deleted", "abandoned":
        if let i = open[worker], out[i].end == nil {
          out[i].end = event
          out[i].ended = at
        }
      default: continue
      }
    }
    return out.reversed()
  }
}
