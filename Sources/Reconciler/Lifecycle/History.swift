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
  public func entries() -> (entries: [HistoryEntry], damaged: Int) {
    guard let data = FileManager.default.contents(atPath: store.eventsFile) else { return ([], 0) }
    var entries: [HistoryEntry] = []
    var damaged = 0
    for line in data.split(separator: UInt8(ascii: "\n")) where !line.isEmpty {
      guard String(bytes: line, encoding: .utf8) != nil, let entry = try? StateStore.decoder.decode(HistoryEntry.self, from: Data(line))
      else {
        damaged += 1
        continue
      }
      entries.append(entry)
    }
    return (entries, damaged)
  }

  /// Why the history cannot be read at all (its path is a folder, or not
  /// readable), in a sentence; nil when it can, or does not exist yet.
  /// Without it, "no recorded sessions" would stand for "none could be read".
  public var unreadable: String? {
    let path = store.eventsFile
    var isFolder: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else { return nil }
    if isFolder.boolValue { return "\(path) is a folder, not wt's history: move it away, and wt records history there again" }
    return FileManager.default.isReadableFile(atPath: path) ? nil : "\(path) cannot be read: give it back to your user, readable"
  }

  /// Lines of history that could not be read, for a warning said once.
  public var damagedLines: Int { entries().damaged }

  /// Newest first.
  public func sessions(bead: String) -> [PastSession] {
    var out: [PastSession] = []
    var open: [String: Int] = [:]  // worker → index of its running session
    for e in entries().entries {
      let worker = e.worker
      guard worker == bead || worker.hasSuffix("/\(bead)") else { continue }
      switch e.event {
      case .created, .adopted, .restarted:
        guard let (session, worktree) = e.event.startedSession else { continue }
        if let i = open[worker], out[i].end == nil, out[i].session != session {
          out[i].end = "restarted"
          out[i].ended = e.at
        }
        // Agents without session ids still have sessions; they show as "".
        if let i = open[worker], out[i].session == session, out[i].end == nil { continue }
        out.append(PastSession(worker: worker, session: session, started: e.at, worktree: worktree, ended: nil, end: nil))
        open[worker] = out.count - 1
      case .done, .deleted, .abandoned:
        if let i = open[worker], out[i].end == nil {
          out[i].end = e.event.name
          out[i].ended = e.at
        }
      default: continue
      }
    }
    return out.reversed()
  }
}
