import Foundation
import Testing
@testable import Reconciler

/// `wt signal` as hooks call it: statuses, the session id, API errors.
@Suite struct SignalTests {
  func store() throws -> (StateStore, String) {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wt-signal-\(UUID().uuidString.prefix(8))").path
    let store = StateStore(directory: dir)
    var record = WorkerRecord(name: "p/b", project: "p", bead: "b", branch: "wt/b", worktree: "/w/b", createdAt: Date())
    record.sessionId = "old"
    try store.save(State(workers: ["p/b": record]))
    return (store, dir)
  }

  @Test func hookEventsMapToStatusesAndFollowTheSession() throws {
    let (store, dir) = try store()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let signal = StatusSignal(store: store)
    #expect(try signal.record(worker: "p/b", event: "session-start", message: nil, hook: ["session_id": "new"]).status == "starting")
    #expect(try store.load().workers["p/b"]?.sessionId == "new")
    #expect(try signal.record(worker: "p/b", event: "prompt-submitted", message: nil).status == "working")
    #expect(try store.load().workers["p/b"]?.prompt == .delivered)
    #expect(try signal.record(worker: "p/b", event: "notification", message: nil, hook: ["message": "May I?"]) == ("working", "needs-input"))
    #expect(try store.load().workers["p/b"]?.statusMessage == "May I?")
    #expect(throws: LifecycleError.self) { try signal.record(worker: "p/b", event: "bogus", message: nil) }
    #expect(throws: LifecycleError.self) { try signal.record(worker: "nobody", event: "idle", message: nil) }
  }

  @Test func attentionCountsRecordedStatusesThatWaitForAPersonButNotKeptWorktrees() {
    func record(_ name: String, _ status: String?, retained: String? = nil) -> WorkerRecord {
      var r = WorkerRecord(name: name, project: "p", bead: name, branch: "wt/\(name)", worktree: "/w/\(name)", createdAt: Date())
      r.status = status
      r.retained = retained
      return r
    }
    let records = [
      record("a", "needs-input"), record("b", "stuck"), record("c", "dead"), record("d", "limited"), record("e", "working"),
      record("f", "idle"), record("g", nil), record("h", "done"), record("i", "needs-input", retained: "holds work"),
    ]
    let state = State(workers: Dictionary(uniqueKeysWithValues: records.map { ($0.name, $0) }))
    #expect(Attention.count(in: state) == 4)
    #expect(Attention.line(4) == "wt: 4 need you")
    #expect(Attention.line(1) == "wt: 1 needs you")
    #expect(Attention.line(0) == "")
  }

  @Test func aTurnThatEndedOnAnAPIErrorIsLimitedNotIdle() throws {
    let (store, dir) = try store()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let transcript = "\(dir)/t.jsonl"
    let ok = #"{"type":"assistant","message":{"role":"assistant","content":[{"type":"text","text":"done"}]}}"#
    let limited = #"{"type":"assistant","isApiErrorMessage":true,"apiErrorStatus":429,"message":{"role":"assistant","content":[{"type":"text","text":"API Error: 429"}]}}"#
    let signal = StatusSignal(store: store)
    try (ok + "\n").write(toFile: transcript, atomically: true, encoding: .utf8)
    #expect(try signal.record(worker: "p/b", event: "stop", message: nil, hook: ["transcript_path": transcript]).status == "idle")
    try (ok + "\n" + limited + "\n").write(toFile: transcript, atomically: true, encoding: .utf8)
    #expect(try signal.record(worker: "p/b", event: "stop", message: nil, hook: ["transcript_path": transcript]).status == "limited")
  }

  @Test func transcriptsPrintAsAConversation() {
    let jsonl = [
      #"{"type":"user","message":{"role":"user","content":"Work on x"}}"#,
      #"{"type":"assistant","message":{"role":"assistant","content":[{"type":"tool_use","name":"Bash","input":{"command":"make test"}}]}}"#,
      #"{"type":"user","message":{"role":"user","content":[{"type":"tool_result","content":"ok"}]}}"#,
      #"{"type":"assistant","message":{"role":"assistant","content":[{"type":"text","text":"All green."}]}}"#,
      #"{"type":"summary","summary":"ignored"}"#,
    ].joined(separator: "\n")
    #expect(Transcript.render(jsonl) == "user: Work on x\n\nagent: [Bash] make test\n\nuser: [result] ok\n\nagent: All green.\n\n")
  }

  @Test func hooksAreMergedIntoExistingSettings() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wt-hooks-\(UUID().uuidString.prefix(8))").path
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try FileManager.default.createDirectory(atPath: "\(dir)/.claude", withIntermediateDirectories: true)
    try #"{"model": "x", "hooks": {"Stop": [{"hooks": [{"type": "command", "command": "say done"}]}]}}"#
      .write(toFile: "\(dir)/.claude/settings.local.json", atomically: true, encoding: .utf8)
    try ClaudeHooks.install(in: dir, wt: "/opt/it's/wt")
    try ClaudeHooks.install(in: dir, wt: "/opt/it's/wt")
    let data = try Data(contentsOf: URL(fileURLWithPath: "\(dir)/.claude/settings.local.json"))
    let settings = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    #expect(settings["model"] as? String == "x")
    let hooks = try #require(settings["hooks"] as? [String: [[String: Any]]])
    #expect(Set(hooks.keys) == ["SessionStart", "UserPromptSubmit", "Stop", "Notification"])
    let stop = (hooks["Stop"] ?? []).compactMap { ($0["hooks"] as? [[String: Any]])?.first?["command"] as? String }
    #expect(stop == ["say done", #"'/opt/it'\''s/wt' signal stop >/dev/null 2>&1 || true # wt-hook"#])
  }
}
