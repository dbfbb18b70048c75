import Foundation
import Presentation
import Testing
@testable import Reconciler

/// `wt signal` as hooks call it: statuses, the session id, API errors.
@Suite(.timeLimit(.minutes(2))) struct SignalTests {
  func store() throws -> (StateStore, String) {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wt-signal-\(UUID().uuidString.prefix(8))").path
    let store = StateStore(directory: dir)
    var record = WorkerRecord(name: "p/b", project: "p", bead: "b", branch: "wt/b", worktree: "/w/b", createdAt: Date())
    record.sessionId = "old"
    try store.save(State(workers: ["p/b": record]))
    return (store, dir)
  }

  func record(_ signal: StatusSignal, _ name: String, _ message: String? = nil, hook: [String: Any] = [:]) throws
    -> StatusSignal.Transition
  {
    try signal.record(
      worker: "p/b", event: try StatusSignal.event(name, message: message, hook: hook),
      sessionID: name == "session-start" ? hook["session_id"] as? String : nil)
  }

  @Test func hookEventsMapToStatesAndFollowTheSession() throws {
    let (store, dir) = try store()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let signal = StatusSignal(store: store)
    let id = "63dcfaec-e98f-4a88-b2d7-86b523ad962d"
    #expect(try record(signal, "session-start", hook: ["session_id": id]).current.state == .starting)
    #expect(try store.load().workers["p/b"]?.sessionId == id)
    // A hook's JSON is the agent's to write: an id that is no UUID never
    // reaches a command line.
    _ = try record(signal, "session-start", hook: ["session_id": "--dangerously-skip-permissions"])
    #expect(try store.load().workers["p/b"]?.sessionId == id)
    #expect(try record(signal, "prompt-submitted").current.state == .working)
    #expect(try store.load().workers["p/b"]?.prompt == .delivered)
    let waiting = try record(signal, "notification", hook: ["message": "May I?"])
    #expect(waiting.previous?.state == .working && waiting.current == WorkerCondition(.needsInput, "May I?", origin: .question))
    #expect(try store.load().workers["p/b"]?.condition == waiting.current)
    #expect(waiting.shouldNotify)
    #expect(throws: LifecycleError.self) { try StatusSignal.event("bogus", message: nil) }
    #expect(throws: LifecycleError.self) { try signal.record(worker: "nobody", event: .declared(.idle, nil)) }
  }

  /// The agent asks for a person, then Claude Code's Stop and the idle
  /// Notification follow: the question stays, with its words, until the
  /// agent takes a new prompt.
  @Test func aCallForHelpOutlivesTheHooksThatFollowIt() throws {
    let (store, dir) = try store()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let signal = StatusSignal(store: store)
    _ = try record(signal, "prompt-submitted")
    let asked = try record(signal, "needs-input", "EUR or USD?")
    #expect(asked.shouldNotify)
    for hook in ["stop", "notification", "tool-used", "stop"] {
      let t = try record(signal, hook, hook: ["message": "Claude is waiting for your input", "notification_type": "idle_prompt"])
      #expect(t.current == WorkerCondition(.needsInput, "EUR or USD?"), "\(hook)")
      #expect(!t.shouldNotify)
    }
    #expect(Attention.count(in: try store.load()) == 1)
    #expect(try record(signal, "prompt-submitted").current == WorkerCondition(.working))
    #expect(Attention.count(in: try store.load()) == 0)
    #expect(try record(signal, "stop").current.state == .idle)
  }

  /// Claude asks for a permission; the person grants it in the pane; the
  /// agent runs the tool and ends its turn: the question is gone, also
  /// from the status line's count. The idle notification that follows a
  /// minute later is idle, not a call for help.
  @Test func theAgentsOwnQuestionGoesWithItsNextActivity() throws {
    let (store, dir) = try store()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let signal = StatusSignal(store: store)
    _ = try record(signal, "prompt-submitted")
    let asked = try record(
      signal, "notification",
      hook: ["message": "Claude needs your permission to use Bash", "notification_type": "permission_prompt"])
    #expect(asked.current.state == .needsInput && asked.shouldNotify)
    #expect(Attention.count(in: try store.load()) == 1)
    #expect(try record(signal, "tool-used").current == WorkerCondition(.working))
    #expect(Attention.count(in: try store.load()) == 0)
    #expect(try record(signal, "stop").current == WorkerCondition(.idle))
    let idle = try record(
      signal, "notification", hook: ["message": "Claude is waiting for your input", "notification_type": "idle_prompt"])
    #expect(idle.current == WorkerCondition(.idle) && !idle.shouldNotify)
    #expect(Attention.count(in: try store.load()) == 0)
    // A tool use that changes nothing is no history and no write.
    let lines = try String(contentsOfFile: "\(dir)/events.jsonl", encoding: .utf8).split(separator: "\n").count
    _ = try record(signal, "prompt-submitted")
    _ = try record(signal, "tool-used")
    #expect(try String(contentsOfFile: "\(dir)/events.jsonl", encoding: .utf8).split(separator: "\n").count == lines + 1)
  }

  /// A killed agent that `wt apply` resumes asks nothing at its start: a
  /// question, even one someone said, goes with the old process. A
  /// compaction is the same session and changes nothing.
  @Test func aRestartLeavesNoStaleQuestion() throws {
    let (store, dir) = try store()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let signal = StatusSignal(store: store)
    _ = try record(
      signal, "notification",
      hook: ["message": "Claude needs your permission to use Bash", "notification_type": "permission_prompt"])
    #expect(try record(signal, "session-start", hook: ["source": "compact"]).current.state == .needsInput)
    #expect(try record(signal, "session-start", hook: ["source": "resume"]).current == WorkerCondition(.starting))
    _ = try record(signal, "needs-input", "EUR or USD?")
    #expect(try record(signal, "session-start", hook: ["source": "startup"]).current == WorkerCondition(.starting))
    #expect(Attention.count(in: try store.load()) == 0)
  }

  @Test func attentionCountsRecordedStatusesThatWaitForAPersonButNotKeptWorktrees() {
    func record(_ name: String, _ status: String?, retained: String? = nil) -> WorkerRecord {
      var r = WorkerRecord(name: name, project: "p", bead: name, branch: "wt/\(name)", worktree: "/w/\(name)", createdAt: Date())
      r.status = status.flatMap(WorkerState.init(rawValue:))
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
    #expect(try record(signal, "stop", hook: ["transcript_path": transcript]).current.state == .idle)
    try (ok + "\n" + limited + "\n").write(toFile: transcript, atomically: true, encoding: .utf8)
    #expect(try record(signal, "stop", hook: ["transcript_path": transcript]).current.state == .limited)
    // Claude Code 2.1.337 ends such a turn with StopFailure, not Stop; an
    // agent whose worktree has no StopFailure hook yet gets there through
    // the idle notification a minute later: limited too, not idle.
    _ = try record(signal, "prompt-submitted")
    #expect(try record(signal, "stop-failure", hook: ["error": "rate_limit"]).current.state == .limited)
    _ = try record(signal, "prompt-submitted")
    let idle = ["transcript_path": transcript, "notification_type": "idle_prompt", "message": "Claude is waiting for your input"]
    #expect(try record(signal, "notification", hook: idle).current.state == .limited)
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
    #expect(Set(hooks.keys) == ["SessionStart", "UserPromptSubmit", "PostToolUse", "Stop", "StopFailure", "Notification"])
    let stop = (hooks["Stop"] ?? []).compactMap { ($0["hooks"] as? [[String: Any]])?.first?["command"] as? String }
    #expect(stop == ["say done", #"'/opt/it'\''s/wt' signal stop >/dev/null 2>&1 || true # wt-hook"#])
  }

  /// Gemini CLI: the same shape in .gemini/settings.json, its own event
  /// names, and silent commands (its hooks may print only JSON).
  @Test func geminiHooksUseItsEventsAndPrintNothing() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wt-hooks-\(UUID().uuidString.prefix(8))").path
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    try ClaudeHooks.install(in: dir, wt: "/opt/wt", kind: .gemini)
    let data = try Data(contentsOf: URL(fileURLWithPath: "\(dir)/.gemini/settings.json"))
    let hooks = try #require((try JSONSerialization.jsonObject(with: data) as? [String: Any])?["hooks"] as? [String: [[String: Any]]])
    #expect(Set(hooks.keys) == ["SessionStart", "BeforeAgent", "AfterTool", "AfterAgent", "Notification"])
    let commands = hooks.values.flatMap { $0 }.compactMap { ($0["hooks"] as? [[String: Any]])?.first?["command"] as? String }
    #expect(commands.allSatisfy { $0.contains(">/dev/null 2>&1 || true") && !$0.contains("prime") })
    #expect(!FileManager.default.fileExists(atPath: "\(dir)/.claude"))
  }

  @Test func codexHooksGoInItsHooksFile() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wt-hooks-\(UUID().uuidString.prefix(8))").path
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    try ClaudeHooks.install(in: dir, wt: "/opt/wt", kind: .codex)
    let data = try Data(contentsOf: URL(fileURLWithPath: "\(dir)/.codex/hooks.json"))
    let hooks = try #require((try JSONSerialization.jsonObject(with: data) as? [String: Any])?["hooks"] as? [String: [[String: Any]]])
    #expect(Set(hooks.keys) == ["SessionStart", "UserPromptSubmit", "Stop"])
  }
}
