import Foundation
import Testing
@testable import Reconciler

/// `events.jsonl` is a contract: the typed events write the lines an
/// earlier wt wrote, and lines of any earlier wt read back.
@Suite(.timeLimit(.minutes(1))) struct HistoryEventTests {
  func store() -> (StateStore, String) {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wt-history-\(UUID().uuidString.prefix(8))").path
    return (StateStore(directory: dir), dir)
  }

  func lines(_ dir: String) throws -> [String] {
    try String(contentsOfFile: "\(dir)/events.jsonl", encoding: .utf8).split(separator: "\n").map(String.init)
  }

  @Test func linesKeepTheirFlatShape() throws {
    let (store, dir) = store()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let at = Date(timeIntervalSince1970: 1_800_000_000)
    store.record(.created(bead: "p-1", session: "s1", worktree: "/w/p-1"), worker: "p/p-1", at: at)
    store.record(.signal(status: .needsInput, by: "needs-input", message: "which?", session: nil), worker: "p/p-1", at: at)
    store.record(.abandoned(deleted: true), worker: "p/p-1", at: at)
    #expect(try lines(dir) == [
      #"{"at":"2027-01-15T08:00:00Z","bead":"p-1","event":"created","session":"s1","worker":"p\/p-1","worktree":"\/w\/p-1"}"#,
      #"{"at":"2027-01-15T08:00:00Z","by":"needs-input","event":"signal","message":"which?","status":"needs-input","worker":"p\/p-1"}"#,
      #"{"at":"2027-01-15T08:00:00Z","deleted":"yes","event":"abandoned","worker":"p\/p-1"}"#,
    ])
  }

  @Test func everyEventReadsBackAsItself() throws {
    let events: [HistoryEvent] = [
      .created(bead: "b", session: "s", worktree: "/w"), .adopted(bead: "b", session: "", worktree: "/w"),
      .restarted(bead: "b", session: "s2", resume: ""), .promptSent, .promptDelivered, .questionAnswered(question: "1"),
      .branchRenamed(branch: "wt/b-2", existing: "wt/b"), .signal(status: .idle, by: "stop", message: nil, session: "s"),
      .handoff(note: "/n.md"), .followUp(status: "tests fail"), .done(reason: "merged"), .deleted(kept: ""),
      .abandoned(deleted: false), .forgotten, .other(name: "paused", detail: ["until": "noon"]),
    ]
    let (store, dir) = store()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    for event in events { store.record(event, worker: "p/b") }
    let read = History(store: store).entries()
    #expect(read.damaged == 0)
    #expect(read.entries.map(\.event) == events)
    #expect(read.entries.allSatisfy { $0.worker == "p/b" && !$0.at.isEmpty })
  }

  /// Lines an older wt wrote: missing keys read as empty, a name or a
  /// status this wt does not know is kept as it was, a line that is not
  /// all strings is damaged and counted.
  @Test func olderLinesStillRead() throws {
    let (store, dir) = store()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    try """
      {"event":"created","worker":"p/b","at":"2026-01-01T00:00:00Z","session":"s1"}
      {"event":"abandoned","worker":"p/b","at":"2026-01-02T00:00:00Z"}
      {"event":"signal","worker":"p/b","at":"2026-01-02T00:00:00Z","status":"thinking"}
      {"event":"done","worker":"p/b","at":3}

      """.write(toFile: "\(dir)/events.jsonl", atomically: true, encoding: .utf8)
    let history = History(store: store)
    let read = history.entries()
    #expect(read.damaged == 1)
    #expect(read.entries.map(\.event) == [
      .created(bead: "", session: "s1", worktree: ""), .abandoned(deleted: false),
      .other(name: "signal", detail: ["status": "thinking"]),
    ])
    #expect(history.sessions(bead: "b") == [
      PastSession(worker: "p/b", session: "s1", started: "2026-01-01T00:00:00Z", worktree: "", ended: "2026-01-02T00:00:00Z", end: "abandoned")
    ])
  }

  /// A history that is a folder is said, not read as "no sessions".
  @Test func aHistoryThatIsAFolderIsSaid() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wt-history-\(UUID().uuidString.prefix(8))").path
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let store = StateStore(directory: dir)
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    #expect(History(store: store).unreadable == nil)
    try FileManager.default.createDirectory(atPath: store.eventsFile, withIntermediateDirectories: true)
    #expect(History(store: store).unreadable?.contains("is a folder, not wt's history") == true)
  }
}
