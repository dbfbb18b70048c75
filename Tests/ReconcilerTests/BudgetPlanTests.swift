import Foundation
import Testing
@testable import Manifest
@testable import Reconciler

/// Budgets in the plan, on literals: the usage figures arrive in
/// `Observed.usage` (read once per pass) and the day is `Observed.now`'s
/// UTC day.
@Suite(.timeLimit(.minutes(1))) struct BudgetPlanTests {
  /// 2026-12-06 15:00 UTC.
  static let now = Date(timeIntervalSince1970: 1_796_569_200)

  static func row(_ bead: String, project: String = "api", day: String = "2026-12-06", input: Int, output: Int, cost: Double? = nil) -> UsageRow {
    UsageRow(
      worker: "\(project)/\(bead)", bead: bead, project: project, account: nil, agent: "claude", day: day,
      tokens: Tokens(input: input, output: output, cacheRead: 1_000_000, cacheWrite: 1_000_000), cost: cost)
  }

  func observed(ready: [Bead], usage: [UsageRow], projects: [String] = ["api"]) -> Observed {
    var o = Observed(
      projects: Dictionary(uniqueKeysWithValues: projects.map { name in
        let mine = ready.filter { $0.id.hasPrefix(name) }
        return (name, Observed.ProjectWorld(ready: mine, unclosed: mine, worktrees: []))
      }),
      panes: [], state: State(), machine: PlanTests.idle, now: Self.now)
    o.usage = usage
    return o
  }

  @Test func theDaysTokenBudgetStopsNewStartsAndSaysWhy() {
    var m = PlanTests.manifest([PlanTests.project(workers: 3)])
    m.settings.budget = Budget(day: .tokens(2_000_000))
    // Cache tokens are not counted by a token budget: 1.5M + 0.5M.
    let spent = [Self.row("api-x", input: 1_500_000, output: 500_000)]
    let p = plan(m, observed(ready: [PlanTests.bead("api-a")], usage: spent))
    #expect(p.changes.isEmpty)
    #expect(p.waiting.map(\.cause) == [.budget])
    #expect(p.waiting.map(\.reason) == ["budget: today's budget (settings.budget.day) of 2M is spent (2M used; days are UTC)"])
    // Yesterday's tokens do not count today.
    let yesterday = [Self.row("api-x", day: "2026-12-05", input: 1_500_000, output: 500_000)]
    #expect(plan(m, observed(ready: [PlanTests.bead("api-a")], usage: yesterday)).changes.map(\.bead) == ["api-a"])
  }

  @Test func aProjectsDayBudgetStopsOnlyThatProject() {
    var api = PlanTests.project("api", workers: 2)
    api.budget = Budget(projectDay: .money(5))
    let web = PlanTests.project("web", workers: 2)
    let m = PlanTests.manifest([api, web])
    let spent = [Self.row("api-x", input: 10, output: 10, cost: 5.25)]
    let p = plan(m, observed(ready: [PlanTests.bead("api-a"), PlanTests.bead("web-a")], usage: spent, projects: ["api", "web"]))
    #expect(p.changes.map(\.bead) == ["web-a"])
    #expect(p.waiting.map(\.reason) == ["budget: api's budget for today (budget.project_day) of $5 is spent ($5.25 used; days are UTC)"])
  }

  @Test func aBeadThatSpentItsBudgetIsNotStartedAgain() {
    var m = PlanTests.manifest([PlanTests.project(workers: 3)])
    m.settings.budget = Budget(bead: .tokens(500_000))
    let spent = [Self.row("api-a", day: "2026-12-01", input: 400_000, output: 100_000), Self.row("api-b", input: 10, output: 10)]
    let p = plan(m, observed(ready: [PlanTests.bead("api-a"), PlanTests.bead("api-b")], usage: spent))
    #expect(p.changes.map(\.bead) == ["api-b"])
    #expect(p.waiting.map(\.reason) == ["budget: the bead's budget (settings.budget.bead) of 500k is spent (500k used; days are UTC)"])
  }

  /// A bead wt claimed whose worker is gone is adopted only within the
  /// budgets: an adoption starts an agent as a start does.
  @Test func aClaimedBeadIsNotAdoptedPastTheDaysBudget() {
    var m = PlanTests.manifest([PlanTests.project(workers: 3)])
    m.settings.budget = Budget(day: .tokens(100))
    let claimed = PlanTests.bead("api-a", status: .inProgress, assignee: "wt")
    var o = observed(ready: [], usage: [Self.row("api-x", input: 100, output: 0)])
    o.projects["api"] = .init(ready: [], unclosed: [claimed], worktrees: [])
    let p = plan(m, o)
    #expect(p.changes.isEmpty)
    #expect(p.waiting.map(\.cause) == [.budget])
    o.usage = []
    #expect(plan(m, o).changes.map(\.bead) == ["api-a"])
  }

  @Test func underEveryBudgetNothingWaits() {
    var m = PlanTests.manifest([PlanTests.project(workers: 3)])
    m.settings.budget = Budget(bead: .tokens(1_000), projectDay: .tokens(1_000), day: .tokens(1_000))
    let p = plan(m, observed(ready: [PlanTests.bead("api-a")], usage: [Self.row("api-x", input: 499, output: 500)]))
    #expect(p.changes.map(\.bead) == ["api-a"])
    #expect(p.waiting.isEmpty)
  }

  @Test func theLoopComesBackAtUTCMidnightForADaysBudget() {
    var m = PlanTests.manifest([PlanTests.project(workers: 3)])
    m.settings.budget = Budget(day: .tokens(10))
    let o = observed(ready: [PlanTests.bead("api-a")], usage: [Self.row("api-x", input: 10, output: 10)])
    let report = PassReport(preview: PassPreview(plan: plan(m, o), includesLocal: true, hosts: []), approved: true, steps: [], hosts: [], requeue: [])
    let requeue = Controller.requeue(after: report, observed: o)
    // 15:00 UTC to midnight.
    #expect(requeue.map(\.after) == [.seconds(9 * 3600)])
  }

  @Test func aWorkerPastItsBeadsBudgetIsSeenOnlyOnceItPasses() {
    var m = PlanTests.manifest([PlanTests.project(workers: 3)])
    m.settings.budget = Budget(bead: .tokens(100))
    let record = WorkerRecord(name: "api/api-a", project: "api", bead: "api-a", branch: "wt/api-a", worktree: "/wt/api/api-a", createdAt: Self.now)
    var o = observed(ready: [], usage: [Self.row("api-a", input: 50, output: 49)])
    #expect(o.passedBeadBudget(m, record: record) == nil)
    o.usage = [Self.row("api-a", input: 50, output: 50)]
    #expect(o.passedBeadBudget(m, record: record) == "bead budget 100 spent (100 used)")
  }
}
