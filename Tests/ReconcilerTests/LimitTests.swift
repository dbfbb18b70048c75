import Foundation
import Testing
@testable import Manifest
@testable import Reconciler

/// Issue 23: a turn that ends on the provider's limits, classified from
/// what the real Claude Code 2.1.337 writes (docs/limits.md), recorded,
/// and resumed by the plan at its time.
@Suite(.timeLimit(.minutes(2))) struct LimitTests {
  // The transcript's last record, as Claude Code writes it (docs/limits.md).
  static let usageRecord = #"{"parentUuid":"6b1e","isSidechain":false,"type":"assistant","uuid":"0c2f","timestamp":"2026-12-06T10:37:05.123Z","message":{"id":"1d9a","model":"<synthetic>","role":"assistant","stop_reason":"stop_sequence","type":"message","usage":{"input_tokens":0,"output_tokens":0,"cache_creation_input_tokens":0,"cache_read_input_tokens":0},"content":[{"type":"text","text":"You've hit your 5-hour limit · resets 10:42am (UTC)"}]},"error":"rate_limit","isApiErrorMessage":true,"apiErrorStatus":429,"apiErrorType":"rate_limit_error","apiError":"usage_limit_reached","apiErrorParams":{"rate_limit_info":{"status":"rejected","resetsAt":1796553725,"rateLimitType":"five_hour","overageStatus":"rejected","overageDisabledReason":"org_level_disabled","isUsingOverage":false},"plan_limit_line":"You've hit your 5-hour limit · resets 10:42am (UTC)"},"quotaLimits":{"status":"rejected","resetsAt":1796553725,"rateLimitType":"five_hour","unifiedRateLimitFallbackAvailable":false},"requestId":"req_011","failedResponseHadNoToolCall":true}"#
  static let apiKeyRecord = #"{"type":"assistant","message":{"model":"<synthetic>","role":"assistant","stop_reason":"stop_sequence","content":[{"type":"text","text":"API Error: Request rejected (429) · rate limited"}],"usage":{"input_tokens":0,"output_tokens":0}},"error":"rate_limit","isApiErrorMessage":true,"apiErrorStatus":429,"apiErrorType":"rate_limit_error","requestId":"req_012","failedResponseHadNoToolCall":true}"#
  static let overloadedRecord = #"{"type":"assistant","message":{"model":"<synthetic>","role":"assistant","content":[{"type":"text","text":"API Error: 529 Overloaded. This is a server-side issue, usually temporary"}]},"error":"server_error","isApiErrorMessage":true,"apiErrorStatus":529,"apiErrorType":"overloaded_error"}"#
  static let creditRecord = #"{"type":"assistant","message":{"model":"<synthetic>","role":"assistant","content":[{"type":"text","text":"Credit balance is too low"}]},"error":"billing_error","isApiErrorMessage":true,"apiErrorStatus":400,"apiErrorType":"invalid_request_error","resendCannotCure":true}"#
  static let informational = #"{"type":"system","subtype":"informational","content":"Usage limit reached · set to continue automatically at 10:42am","level":"notice"}"#
  static let ok = #"{"type":"assistant","message":{"role":"assistant","content":[{"type":"text","text":"done"}]}}"#

  static let resetsAt = Date(timeIntervalSince1970: 1_796_553_725)
  static let seen = resetsAt.addingTimeInterval(-300)

  func json(_ line: String) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
  }

  func transcript(_ lines: [String]) throws -> (path: String, dir: String) {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wt-limit-\(UUID().uuidString.prefix(8))").path
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    let path = "\(dir)/session.jsonl"
    try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
    return (path, dir)
  }

  @Test func aSubscriptionUsageLimitIsLimitedUntilItsResetAndTheAgentContinuesByItself() throws {
    let s = try #require(LimitReading.classify(error: "rate_limit", record: try json(Self.usageRecord), hookMessage: nil, now: Self.seen))
    #expect(s.kind == .usage)
    #expect(s.resetsAt == Self.resetsAt)
    #expect(s.agentContinues)
    #expect(s.reason == "usage limit: You've hit your 5-hour limit · resets 10:42am (UTC)")
    let limit = s.limit(tries: 0, now: Self.seen, jitter: 0.5)
    #expect(limit.until == Self.resetsAt && limit.since == Self.seen && limit.agentContinues == true)
    // Only apiErrorParams carries it: read from there.
    var record = try json(Self.usageRecord)
    record["quotaLimits"] = nil
    #expect(LimitReading.classify(error: "rate_limit", record: record, hookMessage: nil, now: Self.seen)?.resetsAt == Self.resetsAt)
    // A weekly limit three days out: Claude Code shows a dialog instead of
    // waiting, so wt resumes it at the reset itself.
    let far = Self.resetsAt.addingTimeInterval(-3 * 86400)
    #expect(LimitReading.classify(error: "rate_limit", record: try json(Self.usageRecord), hookMessage: nil, now: far)?.agentContinues == false)
  }

  @Test func aRateLimitWithoutAResetBacksOffAndOverloadBacksOffThisWorker() throws {
    let key = try #require(LimitReading.classify(error: "rate_limit", record: try json(Self.apiKeyRecord), hookMessage: nil, now: Self.seen))
    #expect(key.kind == .unknownReset && key.resetsAt == nil && !key.agentContinues)
    #expect(key.limit(tries: 0, now: Self.seen, jitter: 0.5).until == Self.seen.addingTimeInterval(60))
    #expect(key.limit(tries: 3, now: Self.seen, jitter: 0.5).until == Self.seen.addingTimeInterval(8 * 60))
    let busy = try #require(LimitReading.classify(error: "server_error", record: try json(Self.overloadedRecord), hookMessage: nil, now: Self.seen))
    #expect(busy.kind == .overloaded)
    #expect(busy.reason.hasPrefix("the API is overloaded: API Error: 529 Overloaded."))
    // No transcript at all (an older agent, a path that is gone): the hook's
    // error alone still says which.
    #expect(LimitReading.classify(error: "rate_limit", record: nil, hookMessage: "429", now: Self.seen)?.kind == .unknownReset)
    #expect(LimitReading.classify(error: "max_output_tokens", record: nil, hookMessage: nil, now: Self.seen)?.kind == .overloaded)
  }

  @Test func billingAndRefusedKeysNeedAPersonAndAreNeverTimed() throws {
    for (error, record) in [("billing_error", Self.creditRecord), ("authentication_failed", Self.apiKeyRecord)] {
      let s = try #require(LimitReading.classify(error: error, record: try json(record), hookMessage: nil, now: Self.seen))
      #expect(s.kind == .needsPerson, "\(error)")
      #expect(s.limit(tries: 0, now: Self.seen, jitter: 0).until == nil)
      #expect(s.limit(tries: 0, now: Self.seen, jitter: 0).resumeAt(worker: "p/b") == nil)
    }
    // `resendCannotCure` says so even under an error wt does not know.
    #expect(LimitReading.classify(error: "unknown", record: try json(Self.creditRecord), hookMessage: nil, now: Self.seen)?.kind == .needsPerson)
  }

  @Test func theBackoffDoublesUpToAnHourWithJitter() {
    #expect((0...8).map { Limit.backoff(tries: $0, jitter: 0.5) / 60 } == [1, 2, 4, 8, 16, 32, 60, 60, 60])
    #expect(Limit.backoff(tries: 0, jitter: 0) == 48 && Limit.backoff(tries: 0, jitter: 0.999) < 72)
  }

  /// The agent's words reach the person inert: one line, no escapes, short.
  @Test func hostileAgentTextIsShownInert() throws {
    let text = "limit\u{1B}]52;c;cm0gLXJmIH4=\u{07}\nrm -rf ~\r" + String(repeating: "x", count: 400)
    let s = try #require(LimitReading.classify(error: "rate_limit", record: nil, hookMessage: text, now: Self.seen))
    #expect(!s.reason.contains("\u{1B}") && !s.reason.contains("\n") && !s.reason.contains("\u{07}"))
    #expect(s.reason.count <= 240)
  }

  /// The hook path end to end on a state file: StopFailure with the real
  /// hook JSON, the transcript beside it.
  @Test func stopFailureRecordsTheLimitAndAPromptEndsIt() throws {
    let (path, dir) = try transcript([Self.ok, Self.usageRecord, Self.informational])
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let store = StateStore(directory: dir)
    try store.save(State(workers: ["p/b": WorkerRecord(name: "p/b", project: "p", bead: "b", branch: "wt/b", worktree: "/w/b", createdAt: Self.seen)]))
    let signal = StatusSignal(store: store)
    _ = try signal.record(worker: "p/b", event: .promptSubmitted)
    let hook: [String: Any] = [
      "session_id": "63dcfaec-e98f-4a88-b2d7-86b523ad962d", "transcript_path": path, "cwd": "/w/b", "prompt_id": "x",
      "effort": ["level": "medium"], "hook_event_name": "StopFailure", "error": "rate_limit",
      "last_assistant_message": "You've hit your 5-hour limit · resets 10:42am (UTC)",
    ]
    let paused = try signal.record(worker: "p/b", event: StatusSignal.event(.hook(.stopFailure), message: nil, hook: hook), at: Self.seen)
    #expect(paused.current.state == .limited && paused.shouldNotify)
    var r = try #require(try store.load().workers["p/b"])
    #expect(r.limit?.kind == .usage && r.limit?.until == Self.resetsAt && r.limit?.tries == 0)
    // The idle notice a minute later tells the same limit: it keeps the
    // one recorded (a backoff would start again otherwise).
    let idle: [String: Any] = ["transcript_path": path, "notification_type": "idle_prompt", "message": "Claude is waiting for your input"]
    _ = try signal.record(worker: "p/b", event: StatusSignal.event(.hook(.notification), message: nil, hook: idle), at: Self.seen.addingTimeInterval(60))
    #expect(try store.load().workers["p/b"]?.limit?.since == Self.seen)
    // A new session (restart, --resume) keeps the pause; a prompt ends it,
    // and that is told too (once).
    #expect(r.limit?.agentContinues == true)
    #expect(try signal.record(worker: "p/b", event: .sessionStarted).current.state == .limited)
    #expect(try store.load().workers["p/b"]?.limit?.until == Self.resetsAt)
    // …but the agent's own continuation died with its process: wt
    // resumes it at the reset, not a minute later.
    #expect(try store.load().workers["p/b"]?.limit?.agentContinues == nil)
    // The agent died during the pause: dead keeps the limit, and its next
    // session is limited again, not starting.
    #expect(try signal.record(worker: "p/b", event: .observedDead("the agent exited")).current.state == .dead)
    #expect(try store.load().workers["p/b"]?.limit?.until == Self.resetsAt)
    #expect(try signal.record(worker: "p/b", event: .sessionStarted).current.state == .limited)
    let resumed = try signal.record(worker: "p/b", event: .promptSubmitted)
    #expect(resumed.resumed && resumed.shouldNotify)
    #expect(try store.load().workers["p/b"]?.limit == nil)
    #expect(try !signal.record(worker: "p/b", event: .promptSubmitted).shouldNotify)
    // A resume of wt's that hits the limit again counts.
    try store.update { $0.workers["p/b"]?.limitResumes = 2 }
    _ = try signal.record(worker: "p/b", event: StatusSignal.event(.hook(.stopFailure), message: nil, hook: hook), at: Self.seen)
    r = try #require(try store.load().workers["p/b"])
    #expect(r.limit?.tries == 2)
    // The agent's own continuation ends it as well; a turn that then ends
    // well forgets the tries.
    let fired: [String: Any] = ["notification_type": "quota_auto_resume_fired", "message": "Usage limit reset — Claude is continuing your task"]
    #expect(try signal.record(worker: "p/b", event: StatusSignal.event(.hook(.notification), message: nil, hook: fired)).current.state == .working)
    _ = try signal.record(worker: "p/b", event: .turnEnded(apiError: false))
    r = try #require(try store.load().workers["p/b"])
    #expect(r.limit == nil && r.limitResumes == nil && r.status == .idle)
  }

  @Test func aBillingRefusalIsNeedsInputWithTheReasonAndKeepsItsLimit() throws {
    let (path, dir) = try transcript([Self.creditRecord])
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let store = StateStore(directory: dir)
    try store.save(State(workers: ["p/b": WorkerRecord(name: "p/b", project: "p", bead: "b", branch: "wt/b", worktree: "/w/b", createdAt: Self.seen)]))
    let signal = StatusSignal(store: store)
    _ = try signal.record(worker: "p/b", event: .promptSubmitted)
    let hook: [String: Any] = ["transcript_path": path, "error": "billing_error", "last_assistant_message": "Credit balance too low · Add funds: https://platform.claude.com/settings/billing"]
    let t = try signal.record(worker: "p/b", event: StatusSignal.event(.hook(.stopFailure), message: nil, hook: hook))
    #expect(t.current.state == .needsInput)
    #expect(t.current.message == "a person must act (billing_error): Credit balance too low · Add funds: https://platform.claude.com/settings/billing")
    #expect(try store.load().workers["p/b"]?.limit?.kind == .needsPerson)
    // A Stop whose transcript ends on the error (a worktree without the
    // StopFailure hook) reads the same.
    _ = try signal.record(worker: "p/b", event: .promptSubmitted)
    #expect(try signal.record(worker: "p/b", event: StatusSignal.event(.hook(.stop), message: nil, hook: ["transcript_path": path])).current.state == .needsInput)
  }

  // MARK: The plan

  static func limitedState(_ limit: Limit, held: Bool = false, bead: String = "api-a") -> State {
    var r = WorkerRecord(name: "api/\(bead)", project: "api", bead: bead, branch: "wt/\(bead)", worktree: "/wt/api/\(bead)", createdAt: seen)
    r.prompt = .delivered
    r.status = .limited
    r.statusMessage = limit.reason
    r.limit = limit
    r.held = held ? true : nil
    return State(workers: [r.name: r])
  }

  func plan(_ state: State, now: Date, maxResumes: Int = 5, bead: String = "api-a") -> Plan {
    var m = PlanTests.manifest([PlanTests.project()])
    m.settings.limits.maxResumes = maxResumes
    var o = PlanTests.observed(ready: [PlanTests.bead(bead, status: .inProgress, assignee: "wt")], panes: [PlanTests.pane("api", bead)], state: state)
    o.now = now
    return Reconciler.plan(m, o)
  }

  @Test func theWorkerIsResumedOnceItsTimeAndItsStaggerHavePassed() {
    let limit = Limit(kind: .usage, until: Self.resetsAt, since: Self.seen, reason: "usage limit")
    let state = Self.limitedState(limit)
    let offset = Limit.stagger("api/api-a")
    #expect(offset >= 0 && offset < 8)
    #expect(plan(state, now: Self.resetsAt.addingTimeInterval(offset - 0.01)).changes.isEmpty)
    let before = plan(state, now: Self.seen)
    #expect(before.notes.contains { $0.text.hasPrefix("api-a is limited until 2026-12-06T") })
    let due = plan(state, now: Self.resetsAt.addingTimeInterval(offset))
    #expect(due.changes.map(\.step) == [.resumeAfterLimit])
    // Workers do not all come back in the same second.
    let offsets = Set((0..<20).map { Limit.stagger("api/api-\($0)") })
    #expect(offsets.count > 15)
  }

  @Test func theAgentsOwnContinuationIsWaitedForAMinute() {
    let limit = Limit(kind: .usage, until: Self.resetsAt, since: Self.seen, reason: "usage limit", agentContinues: true)
    let at = Self.resetsAt.addingTimeInterval(Limit.agentGrace + Limit.stagger("api/api-a"))
    #expect(plan(Self.limitedState(limit), now: at.addingTimeInterval(-1)).changes.isEmpty)
    #expect(plan(Self.limitedState(limit), now: at).changes.map(\.step) == [.resumeAfterLimit])
    // The same for a limit the agent's screen shows it handles itself.
    let transient = Limit(kind: .transient, until: Self.resetsAt, since: Self.seen, reason: "retrying")
    #expect(transient.resumeAt(worker: "api/api-a") == at)
  }

  @Test func heldBudgetAndBillingAreNeverResumedByTheClock() {
    let later = Self.resetsAt.addingTimeInterval(3600)
    let held = plan(Self.limitedState(Limit(kind: .usage, until: Self.resetsAt, since: Self.seen, reason: "u"), held: true), now: later)
    #expect(held.changes.isEmpty && held.notes.contains { $0.text.contains("held") })
    #expect(plan(Self.limitedState(Limit(kind: .budget, until: nil, since: Self.seen, reason: "budget")), now: later).changes.isEmpty)
    #expect(plan(Self.limitedState(Limit(kind: .needsPerson, until: nil, since: Self.seen, reason: "billing")), now: later).changes.isEmpty)
  }

  @Test func afterMaxResumesAPersonIsAsked() {
    let limit = Limit(kind: .unknownReset, until: Self.resetsAt, since: Self.seen, tries: 2, reason: "rate limited")
    #expect(plan(Self.limitedState(limit), now: Self.resetsAt.addingTimeInterval(10), maxResumes: 3).changes.map(\.step) == [.resumeAfterLimit])
    let p = plan(Self.limitedState(limit), now: Self.resetsAt.addingTimeInterval(10), maxResumes: 2)
    guard case .limitNeedsPerson(let why)? = p.changes.first?.step else {
      Issue.record("expected limitNeedsPerson, got \(p.changes)")
      return
    }
    #expect(why.hasPrefix("resumed 2 times and stopped on the limit each time (settings.limits.max_resumes: 2); last: rate limited"))
  }

  /// The loop wakes for the soonest resume, not at its steady interval.
  @Test func theLoopIsRequeuedForTheEarliestResume() {
    let now = Self.seen
    let limit = Limit(kind: .usage, until: now.addingTimeInterval(30), since: now, reason: "u")
    let o = PlanTests.observed(state: Self.limitedState(limit))
    let requeue = Controller.limitResumes(o, now: now)
    #expect(requeue.count == 1)
    let expected = 30 + Limit.stagger("api/api-a")
    let after = Double(requeue[0].after.components.seconds) + Double(requeue[0].after.components.attoseconds) / 1e18
    #expect(abs(after - expected) < 0.2)
    // Held: no wake-up for it.
    #expect(Controller.limitResumes(PlanTests.observed(state: Self.limitedState(limit, held: true)), now: now).isEmpty)
  }

  // MARK: What is shown

  @Test func aLimitedRowSaysUntilWhenAndOnWhichAccount() throws {
    var row = WorkerStatus(
      name: "api/api-a", project: "api", bead: "api-a", title: "t", status: .limited, worktree: "/wt", session: "s")
    row.until = Self.resetsAt
    row.account = "work"
    let utc = try #require(TimeZone(identifier: "UTC"))
    #expect(row.statusText(zone: utc) == "limited until 10:42 (account work)")
    row.account = nil
    row.held = true
    #expect(row.statusText(zone: utc) == "limited (held)")
    row.held = false
    row.status = .working
    #expect(row.statusText(zone: utc) == "working")
    row.status = .limited
    let data = try JSONEncoder().encode(row)
    let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    #expect(object["status"] as? String == "limited")
    #expect(object["until"] as? String == "2026-12-06T10:42:05Z")
    #expect(object["account"] is NSNull)
    let back = try JSONDecoder().decode(WorkerStatus.self, from: data)
    #expect(back.until == Self.resetsAt)
  }

  @Test func claudeOnAnAPIKeyFailsFastUnlessThePersonSaidOtherwise() {
    let claude = BuiltInAgents.claude
    let key = ["ANTHROPIC_API_KEY": "sk-x"]
    #expect(Applier.failingFast([:], profile: claude, inherited: key)["CLAUDE_CODE_MAX_RETRIES"] == "2")
    #expect(Applier.failingFast(key.merging(["CLAUDE_CODE_MAX_RETRIES": "7"]) { a, _ in a }, profile: claude, inherited: [:])["CLAUDE_CODE_MAX_RETRIES"] == "7")
    #expect(Applier.failingFast([:], profile: claude, inherited: key.merging(["CLAUDE_CODE_MAX_RETRIES": "0"]) { a, _ in a })["CLAUDE_CODE_MAX_RETRIES"] == nil)
    #expect(Applier.failingFast(["CLAUDE_CODE_OAUTH_TOKEN": "t"], profile: claude, inherited: key)["CLAUDE_CODE_MAX_RETRIES"] == nil)
    #expect(Applier.failingFast([:], profile: BuiltInAgents.aider, inherited: key)["CLAUDE_CODE_MAX_RETRIES"] == nil)
  }

  @Test func theLimitDialogIsReadOnlyAtTheBottomOfTheScreen() {
    let dialog = """
      ▔▔▔▔▔▔▔▔
        What do you want to do?

        ❯ 1. Stop and wait for limit to reset
          2. Wait here, then continue automatically at 10:42am
          3. Upgrade your plan

        Enter to confirm · Esc to cancel
      """
    #expect(Applier.showsLimitDialog(dialog))
    // Quoted higher up (the agent printed it), with the input box below:
    // no dialog.
    #expect(!Applier.showsLimitDialog(dialog + "\n" + String(repeating: "● more output\n", count: 10) + "❯\u{00A0}\n"))
  }

  @Test func claudesPlaceholderAfterAnAPIErrorIsAnEmptyBox() throws {
    let reader = try ScreenReader(profile: BuiltInAgents.claude)
    #expect(reader.state(of: "  ∷ API Error: Request rejected (429)\n────\n❯\u{00A0}Resend your message to try again\n────\n") == .ready(input: ""))
    #expect(reader.state(of: "❯\u{00A0}Once fixed, resend your message\n") == .ready(input: ""))
    #expect(reader.state(of: "❯\u{00A0}continue\n") == .ready(input: "continue"))
  }
}
