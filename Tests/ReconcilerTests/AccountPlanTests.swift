import Foundation
import Testing
@testable import Manifest
@testable import Reconciler

/// Accounts in the plan, on literals: a usage limit pauses its account
/// (no new worker starts on it before the reset), other accounts and
/// agents carry on, and a bead whose every account is paused waits with
/// the reset time.
@Suite(.timeLimit(.minutes(1))) struct AccountPlanTests {
  /// 14:00 UTC on the day of the tests; times read in UTC.
  static let now = Date(timeIntervalSince1970: 1_796_565_600)
  static let utc = TimeZone(identifier: "UTC")!

  static func manifest(accounts: [String] = ["a", "b"], workers: Int = 2) -> Manifest {
    var project = PlanTests.project(workers: workers)
    project.accounts = accounts
    project.agentByLabel = [.init(label: "py", agent: "aider")]
    var m = PlanTests.manifest([project])
    m.agents = BuiltInAgents.all
    m.accounts = [
      Account(name: "a", agent: "claude", env: ["ANTHROPIC_API_KEY": .variable("KEY_A")]),
      Account(name: "b", agent: "claude", env: ["ANTHROPIC_API_KEY": .variable("KEY_B")]),
    ]
    return m
  }

  /// A live worker on `account` stopped on `kind` until `minutes` from now.
  static func limited(
    _ bead: String, account: String?, _ kind: Limit.Kind, minutes: Double?, agent: String = "claude"
  ) -> (WorkerRecord, Pane) {
    var record = WorkerRecord(
      name: "api/\(bead)", project: "api", bead: bead, branch: "wt/\(bead)", worktree: "/wt/api/\(bead)", createdAt: now)
    record.agent = agent
    record.account = account
    record.prompt = .delivered
    record.limit = Limit(kind: kind, until: minutes.map { now.addingTimeInterval($0 * 60) }, since: now, reason: "seen")
    return (record, PlanTests.pane("api", bead))
  }

  static func observed(ready: [Bead], workers: [(WorkerRecord, Pane)], at now: Date = now) -> Observed {
    var state = State()
    for (record, _) in workers { state.workers[record.name] = record }
    var o = PlanTests.observed(
      ready: ready, unclosed: ready + workers.map { PlanTests.bead($0.0.bead, status: .inProgress, assignee: "wt") },
      panes: workers.map(\.1), state: state)
    o.now = now
    return o
  }

  func plan(_ m: Manifest, _ o: Observed) -> Plan {
    var options = PlanOptions()
    options.timeZone = Self.utc
    return Reconciler.plan(m, o, options: options)
  }

  @Test func withNoLimitTheFirstAccountTakesTheBead() {
    let p = plan(Self.manifest(), Self.observed(ready: [PlanTests.bead("api-1")], workers: []))
    #expect(p.changes.map(\.account) == ["a"])
    #expect(p.changes.first?.reasons == ["ready and selected (P2 task)", "on account a: sets ANTHROPIC_API_KEY"])
  }

  @Test func oneAccountPausedTheOtherTakesTheBead() {
    let p = plan(Self.manifest(), Self.observed(ready: [PlanTests.bead("api-1")], workers: [Self.limited("api-0", account: "a", .usage, minutes: 62)]))
    #expect(p.changes.map(\.bead) == ["api-1"])
    #expect(p.changes.map(\.account) == ["b"])
    #expect(p.changes.first?.reasons.last == "account a limited until 15:02; on account b: sets ANTHROPIC_API_KEY")
    #expect(p.waiting.isEmpty)
  }

  @Test func everyAccountPausedTheBeadWaitsUntilTheFirstReset() {
    let one = plan(Self.manifest(accounts: ["a"]), Self.observed(ready: [PlanTests.bead("api-1")], workers: [Self.limited("api-0", account: "a", .usage, minutes: 62)]))
    #expect(one.changes.isEmpty)
    #expect(one.waiting.map(\.cause) == [.accountLimited])
    #expect(one.waiting.map(\.reason) == ["account a limited until 15:02"])
    #expect(one.waiting.map(\.until) == [Self.now.addingTimeInterval(62 * 60)])

    let both = plan(Self.manifest(), Self.observed(
      ready: [PlanTests.bead("api-1")],
      workers: [Self.limited("api-0", account: "a", .usage, minutes: 90), Self.limited("api-9", account: "b", .unknownReset, minutes: 4)]))
    #expect(both.changes.isEmpty)
    #expect(both.waiting.map(\.reason) == ["every account is paused: account a limited until 15:30; account b limited until 14:04"])
    #expect(both.waiting.map(\.until) == [Self.now.addingTimeInterval(4 * 60)])
    // The loop comes back a second after the earliest reset.
    #expect(Controller.accountResets(both, now: Self.now) == [
      Requeue(after: .seconds(241), reason: "api/api-1 waits: every account is paused: account a limited until 15:30; account b limited until 14:04")
    ])
  }

  @Test func oncePastTheResetTheAccountStartsAgain() {
    let worker = Self.limited("api-0", account: "a", .usage, minutes: 62)
    let later = Self.now.addingTimeInterval(62 * 60)
    let p = plan(Self.manifest(accounts: ["a"]), Self.observed(ready: [PlanTests.bead("api-1")], workers: [worker], at: later))
    #expect(p.changes.map(\.account) == ["a"])
    #expect(p.waiting.isEmpty)
  }

  /// Billing (`needs-person`): nothing on the account runs, and no clock
  /// frees it: no time is said, and the loop is not re-queued for it.
  @Test func billingPausesTheAccountWithNoTime() {
    let p = plan(Self.manifest(accounts: ["a"]), Self.observed(ready: [PlanTests.bead("api-1")], workers: [Self.limited("api-0", account: "a", .needsPerson, minutes: nil)]))
    #expect(p.changes.isEmpty)
    #expect(p.waiting.map(\.reason) == ["account a needs a person (billing or its key was refused; see 'wt status')"])
    #expect(p.waiting.map(\.until) == [nil])
    #expect(Controller.accountResets(p, now: Self.now).isEmpty)
  }

  /// A 529 (`overloaded`) and a spent bead budget stop their worker only.
  @Test(arguments: [Limit.Kind.overloaded, .budget, .transient])
  func limitsOfOneWorkerLeaveTheAccountFree(_ kind: Limit.Kind) {
    let p = plan(Self.manifest(accounts: ["a"], workers: 3), Self.observed(ready: [PlanTests.bead("api-1")], workers: [Self.limited("api-0", account: "a", kind, minutes: 5)]))
    #expect(p.changes.map(\.account) == ["a"])
  }

  /// Without `accounts:` each agent has one implicit account: a limited
  /// claude worker pauses claude, and another agent carries on.
  @Test func theImplicitAccountIsTheAgents() {
    let m = Self.manifest(accounts: [])
    let beads = [PlanTests.bead("api-1", 1), PlanTests.bead("api-2", 2, labels: ["py"])]
    let p = plan(m, Self.observed(ready: beads, workers: [Self.limited("api-0", account: nil, .usage, minutes: 62)]))
    #expect(p.changes.map(\.bead) == ["api-2"])
    #expect(p.changes.map(\.agent) == ["aider"])
    #expect(p.changes.map(\.account) == [nil])
    #expect(p.waiting.map(\.reason) == ["account claude's own limited until 15:02"])
  }

  /// A live session is never moved between accounts: its changes keep
  /// the account it started on, paused or not.
  @Test func aLiveWorkerKeepsItsAccount() {
    let (record, dead) = Self.limited("api-0", account: "a", .usage, minutes: 62)
    var pane = dead
    pane.dead = true
    let p = plan(Self.manifest(), Self.observed(ready: [], workers: [(record, pane)]))
    #expect(p.changes.map(\.step) == [.restartAgent(resumeSession: nil)])
    #expect(p.changes.map(\.account) == ["a"])
  }

  /// A paused worker gives its slot up: with `workers: 1`, the bead goes
  /// to the other account rather than waiting for the reset.
  @Test func aPausedWorkerHoldsNoSlot() {
    let p = plan(Self.manifest(workers: 1), Self.observed(ready: [PlanTests.bead("api-1")], workers: [Self.limited("api-0", account: "a", .usage, minutes: 62)]))
    #expect(p.changes.map(\.account) == ["b"])
  }

  /// Issue 23's count: after the first limit on an account, how many new
  /// workers start on it before its reset. A loop that plans every
  /// minute over 60 beads on two accounts (3 slots, 3 minutes a bead),
  /// with account a limited from minute 10 to minute 40: none start on a
  /// in that window, b carries on, and a takes beads again after it.
  @Test func noStartIsWastedIntoTheWall() {
    let paused = simulateLimitWindow(kind: .usage)
    #expect(paused.wasted == 0)
    #expect(paused.onBInWindow > 0)
    #expect(paused.onAAfterReset > 0)
    #expect(paused.left == 0)
  }

  /// Starts on a inside the window, on b inside it, on a after it, and
  /// beads left at the end.
  func simulateLimitWindow(kind: Limit.Kind) -> (wasted: Int, onBInWindow: Int, onAAfterReset: Int, left: Int) {
    let m = Self.manifest(workers: 3)
    var ready = (1...60).map { PlanTests.bead(String(format: "api-%02d", $0)) }
    var live: [(WorkerRecord, Pane)] = []
    var starts: [(minute: Int, account: String?)] = []
    let reset = Self.now.addingTimeInterval(40 * 60)
    for minute in 0..<90 {
      let now = Self.now.addingTimeInterval(Double(minute) * 60)
      // A worker finishes three minutes after it started, unless a limit
      // stopped it.
      live.removeAll { $0.0.limit == nil && now.timeIntervalSince($0.0.createdAt) >= 180 }
      if minute == 40 { live = live.map { var w = $0; w.0.limit = nil; return w } }
      let inWindow = (10..<40).contains(minute)
      if inWindow {
        live = live.map { w in
          var (r, p) = w
          if r.account == "a" && r.limit == nil { r.limit = Limit(kind: kind, until: reset, since: now, reason: "429") }
          return (r, p)
        }
      }
      let p = plan(m, Self.observed(ready: ready, workers: live, at: now))
      for change in p.changes where change.step == .start(adopt: false) {
        starts.append((minute, change.account))
        ready.removeAll { $0.id == change.bead }
        var record = WorkerRecord(
          name: change.worker, project: "api", bead: change.bead, branch: change.branch, worktree: change.worktree, createdAt: now)
        record.agent = change.agent
        record.account = change.account
        record.prompt = .delivered
        live.append((record, PlanTests.pane("api", change.bead)))
      }
    }
    return (
      starts.filter { (10..<40).contains($0.minute) && $0.account == "a" }.count,
      starts.filter { (10..<40).contains($0.minute) && $0.account == "b" }.count,
      starts.filter { $0.minute >= 40 && $0.account == "a" }.count, ready.count
    )
  }
}
