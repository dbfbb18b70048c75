import Foundation
import Manifest
import Testing
@testable import Reconciler

/// A limit on a hook-less agent's screen (Aider's, captured from the real
/// 0.86.2 against the stand-in answering 429) becomes the event a hook
/// would have sent: `limitReached` with the profile's kind, so the worker
/// is `limited` with its record's `limit`; one the agent still retries is
/// no limit.
@Suite(.timeLimit(.minutes(1))) struct ScreenLimitTransitionsTests {
  let aider = BuiltInAgents.aider
  static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
    "Fixtures/aider-screens")
  static let now = Date(timeIntervalSince1970: 1_796_553_000)

  func record(_ state: WorkerState) -> WorkerRecord {
    var r = WorkerRecord(name: "p/p-1", project: "p", bead: "p-1", branch: "wt/p-1", worktree: "/w", createdAt: Date())
    r.prompt = .delivered
    r.status = state
    return r
  }

  func event(_ name: String, _ record: WorkerRecord) throws -> WorkerEvent? {
    let screen = try String(contentsOf: Self.fixtures.appendingPathComponent(name), encoding: .utf8)
    let sighting = LimitScreen.sighting(in: screen, profile: aider, now: Self.now, timeZone: .current)
    return World.screenEvent(
      try ScreenReader(profile: aider).state(of: screen), sighting: sighting, record: record, profile: aider, agent: "aider")
  }

  @Test func aiderThatGaveUpIsLimitedWithTheProfilesKind() throws {
    for name in ["limit-429-gave-up.txt", "limit-429-gave-up-url-offer.txt"] {
      let event = try #require(try event(name, record(.working)))
      guard case .limitReached(let signal) = event else {
        Issue.record("\(name): \(event)")
        continue
      }
      #expect(signal.kind == .unknownReset)
      #expect(signal.resetsAt == nil)
      #expect(signal.reason == "aider shows a limit: The API provider has rate limited you. Try again later or check your quotas.")
      // Recorded: limited, with the record's limit backed off (no reset).
      let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wt-limit-\(UUID().uuidString)").path
      defer { try? FileManager.default.removeItem(atPath: dir) }
      let store = StateStore(directory: dir)
      try store.update { $0.workers["p/p-1"] = record(.working) }
      let transition = try StatusSignal(store: store).record(worker: "p/p-1", event: event, at: Self.now, jitter: 0.5)
      #expect(transition.current.state == .limited)
      let limit = try #require(try store.load().workers["p/p-1"]?.limit)
      #expect(limit.kind == .unknownReset)
      #expect(limit.until == Self.now.addingTimeInterval(Limit.backoff(tries: 0, jitter: 0.5)))
      // The same screen on the next pass changes nothing.
      #expect(WorkerCondition.next(after: transition.current, on: event) == transition.current)
    }
  }

  @Test func spentQuotaNeedsAPerson() throws {
    let event = try #require(try event("limit-quota-gave-up.txt", record(.working)))
    guard case .limitReached(let signal) = event else {
      Issue.record("\(event)")
      return
    }
    #expect(signal.kind == .needsPerson)
    #expect(WorkerCondition.next(after: record(.working).condition, on: event).state == .needsInput)
  }

  /// Retrying by itself, or gone on after the follow-up: the screen's own
  /// state decides, as before.
  @Test func aRetryingOrResumedAiderIsNoLimit() throws {
    #expect(try event("limit-429-retrying.txt", record(.working)) == .toolUsed)
    #expect(try event("limit-429-resumed.txt", record(.working)) == .turnEnded(apiError: false))
  }

  /// Claude Code has hooks: its screen counts only when the worker still
  /// shows working, has no limit, and its pane held still past the grace.
  @Test func aHookedAgentsScreenIsOnlyTheFallback() {
    let claude = BuiltInAgents.claude
    let pane = Pane(
      session: "wt-p-1", paneID: "%1", pid: 1, command: "claude", dead: false, project: "p", bead: "p-1", worktree: "/w",
      hub: false, created: 0, activity: Int(Self.now.timeIntervalSince1970) - 40)
    #expect(World.hooksMayHaveMissed(record(.working), pane: pane, profile: claude, now: Self.now))
    #expect(!World.hooksMayHaveMissed(record(.idle), pane: pane, profile: claude, now: Self.now))
    var limited = record(.working)
    limited.limit = Limit(kind: .usage, until: Self.now, since: Self.now, reason: "usage limit")
    #expect(!World.hooksMayHaveMissed(limited, pane: pane, profile: claude, now: Self.now))
    var recent = pane
    recent.activity = Int(Self.now.timeIntervalSince1970) - 5
    #expect(!World.hooksMayHaveMissed(record(.working), pane: recent, profile: claude, now: Self.now))
    // Waiting for its own continuation: no event; given up: limited.
    let armed = LimitSighting(kind: .transient, resets: Self.now, line: "Continuing automatically at 10:42am · Esc to cancel")
    #expect(World.limitEvent(armed, screen: .ready(input: ""), agent: "claude") == nil)
    let gaveUp = LimitSighting(kind: .unknownReset, resets: nil, line: "∷ API Error: Request rejected (429) · Rate limited")
    #expect(World.limitEvent(gaveUp, screen: .busy, agent: "claude") == nil)
    guard case .limitReached(let signal)? = World.limitEvent(gaveUp, screen: .ready(input: ""), agent: "claude") else {
      Issue.record("no limit")
      return
    }
    #expect(signal.kind == .unknownReset)
  }

  /// `wt status` reading a starting worker's screen never takes an input
  /// box under a limit for idle.
  @Test func aStartingRowUnderALimitIsLimitedNotIdle() {
    var r = record(.starting)
    r.prompt = .delivered
    let armed = LimitSighting(kind: .transient, resets: Self.now, line: "Continuing shortly · Esc to cancel")
    let manifest = Manifest(file: "/m", settings: Settings(worktreeRoot: "/w"), agents: BuiltInAgents.all, projects: [])
    let shown = World.condition(of: .ready(input: ""), limit: armed, agent: "claude", record: r, manifest)
    #expect(shown?.state == .limited)
    #expect(World.condition(of: .ready(input: ""), agent: "claude", record: r, manifest)?.state == .idle)
  }
}
