import Foundation
import Presentation
import Testing
@testable import Manifest
@testable import Reconciler

/// `plan` on literals: no tmux, git or bd runs here.
@Suite(.timeLimit(.minutes(2))) struct PlanTests {
  static func project(_ name: String = "api", workers: Int = 2, select: Selection = Selection()) -> Project {
    Project(
      name: name, path: "/code/\(name)", base: "main", workers: workers, agent: "claude", onDone: .merge,
      prompt: .literal(Defaults.prompt), select: select, copy: [], setup: [], gate: [], portEnv: nil)
  }

  static func manifest(_ projects: [Project], maxWorkers: Int? = nil) -> Manifest {
    var settings = Settings(worktreeRoot: "/wt")
    settings.maxWorkers = maxWorkers
    settings.admission = Admission(maxLoadPerCore: 1.5, minFreeMemory: 2 << 30)
    return Manifest(file: "/etc/wt.yaml", settings: settings, agents: ["claude": Defaults.claude], projects: projects)
  }

  static let idle = Observed.Machine(cores: 2, load1: 0.5, memoryAvailable: 16 << 30)

  static func bead(
    _ id: String, _ priority: Int = 2, status: BeadStatus = .open, assignee: String? = nil, labels: [String] = [],
    created: String = "2026-01-01T00:00:00Z"
  ) -> Bead {
    Bead(id: id, title: "Title of \(id)", status: status, priority: priority, assignee: assignee, labels: labels,
         createdAt: created)
  }

  static func pane(_ project: String, _ bead: String, dead: Bool = false) -> Pane {
    Pane(
      session: WorkerNaming.session(project: project, bead: bead), paneID: "%1", pid: 1, command: "claude",
      dead: dead, project: project, bead: bead, worktree: "/wt/\(project)/\(bead)", hub: false, created: 0, activity: 0)
  }

  static func observed(
    ready: [Bead] = [], unclosed: [Bead]? = nil, panes: [Pane] = [], state: State = State(),
    machine: Observed.Machine = idle, project: String = "api"
  ) -> Observed {
    // Every live worker's worktree exists unless a test says otherwise.
    let worktrees = panes.map { Worktree(path: $0.worktree, head: nil, branch: "wt/\($0.bead)") }
    return Observed(
      projects: [project: .init(ready: ready, unclosed: unclosed ?? ready, worktrees: worktrees)], panes: panes,
      state: state, machine: machine)
  }

  func summary(_ plan: Plan) -> [String] { plan.changes.map { "\($0.action.rawValue)\($0.bead)" } }

  @Test func fillsSlotsByPriorityThenAgeThenId() {
    let ready = [
      Self.bead("api-c", 2, created: "2026-01-03T00:00:00Z"), Self.bead("api-b", 2, created: "2026-01-02T00:00:00Z"),
      Self.bead("api-z", 1, created: "2026-01-09T00:00:00Z"), Self.bead("api-a", 2, created: "2026-01-02T00:00:00Z"),
    ]
    let p = plan(Self.manifest([Self.project(workers: 3)]), Self.observed(ready: ready))
    #expect(summary(p) == ["+api-z", "+api-a", "+api-b"])
    #expect(p.waiting.map(\.bead) == ["api-c"])
  }

  /// `agent_by_label`: a bead's label picks its agent; a worker keeps the
  /// agent it started with, whatever its labels say later.
  @Test func aLabelPicksTheAgentAndAWorkerKeepsIt() {
    var project = Self.project(workers: 3)
    project.agentByLabel = [.init(label: "frontend", agent: "gemini"), .init(label: "py", agent: "aider")]
    var m = Self.manifest([project])
    m.agents = BuiltInAgents.all
    let ready = [Self.bead("api-a", 1, labels: ["frontend", "py"]), Self.bead("api-b", 2, labels: ["py"]), Self.bead("api-c", 3)]
    let p = plan(m, Self.observed(ready: ready))
    #expect(p.changes.map(\.agent) == ["gemini", "aider", "claude"])

    var state = State()
    var record = WorkerRecord(
      name: "api/api-d", project: "api", bead: "api-d", branch: "wt/api-d", worktree: "/wt/api/api-d",
      createdAt: Date(timeIntervalSince1970: 0))
    record.agent = "aider"
    state.workers["api/api-d"] = record
    let dead = plan(m, Self.observed(ready: [], unclosed: [Self.bead("api-d", labels: ["frontend"])], panes: [Self.pane("api", "api-d", dead: true)], state: state))
    #expect(dead.changes.map(\.agent) == ["aider"])
  }

  @Test func selectionFiltersReadyBeads() {
    let select = Selection(labels: ["backend"], excludeLabels: ["human"], maxPriority: 2)
    let ready = [
      Self.bead("api-1", 1, labels: ["backend"]), Self.bead("api-2", 1, labels: ["backend", "human"]),
      Self.bead("api-3", 3, labels: ["backend"]), Self.bead("api-4", 0, labels: ["frontend"]),
    ]
    #expect(summary(plan(Self.manifest([Self.project(select: select)]), Self.observed(ready: ready))) == ["+api-1"])
  }

  @Test func keepsLiveWorkersOfOpenBeadsAndTearsDownClosedOnes() {
    let live = Self.bead("api-1", status: .inProgress, assignee: "wt")
    let state = State(workers: ["api/api-1": delivered("api-1"), "api/api-2": delivered("api-2")])
    let p = plan(
      Self.manifest([Self.project(workers: 2)]),
      Self.observed(ready: [], unclosed: [live], panes: [Self.pane("api", "api-1"), Self.pane("api", "api-2")], state: state))
    #expect(summary(p) == ["-api-2"])
    #expect(p.changes.first?.reasons == ["bead api-2 is closed"])
  }

  @Test func driftIsShownAndPrunedOnlyWhenAsked() {
    let live = Self.bead("api-1", status: .inProgress, assignee: "wt", labels: [])
    let m = Self.manifest([Self.project(select: Selection(labels: ["backend"]))])
    let o = Self.observed(unclosed: [live], panes: [Self.pane("api", "api-1")], state: State(workers: ["api/api-1": delivered("api-1")]))
    let kept = plan(m, o)
    #expect(kept.isEmpty)
    #expect(kept.notes.map(\.text) == ["drift: api-1 is no longer selected; its worker stays until the bead closes (or run with --prune)"])
    let pruned = plan(m, o, options: PlanOptions(prune: true))
    #expect(pruned.changes.map(\.step) == [.teardown(releaseBead: true)])
  }

  @Test func adoptsBeadsWtClaimedWhoseWorkerIsGone() {
    let orphan = Self.bead("api-1", status: .inProgress, assignee: "wt")
    let someoneElses = Self.bead("api-2", status: .inProgress, assignee: "alice")
    let p = plan(Self.manifest([Self.project()]), Self.observed(unclosed: [orphan, someoneElses]))
    #expect(p.changes.map(\.step) == [.start(adopt: true)])
    #expect(p.changes.map(\.bead) == ["api-1"])
  }

  @Test func restartsDeadAgentsWithResumeWithinABudget() {
    let live = Self.bead("api-1", status: .inProgress, assignee: "wt")
    var record = delivered("api-1")
    record.sessionId = "5f0c1d2e-0000-4000-8000-000000000001"
    let o = Self.observed(unclosed: [live], panes: [Self.pane("api", "api-1", dead: true)], state: State(workers: ["api/api-1": record]))
    #expect(plan(Self.manifest([Self.project()]), o).changes.map(\.step) == [.restartAgent(resumeSession: "5f0c1d2e-0000-4000-8000-000000000001")])
    record.restarts = 3
    let stuck = Self.observed(unclosed: [live], panes: [Self.pane("api", "api-1", dead: true)], state: State(workers: ["api/api-1": record]))
    let p = plan(Self.manifest([Self.project()]), stuck)
    #expect(p.isEmpty)
    #expect(p.notes.first?.text.hasPrefix("stuck:") == true)
  }

  @Test func undeliveredPromptsAreDeliveredAndSentOnesChecked() {
    let live = Self.bead("api-1", status: .inProgress, assignee: "wt")
    var record = delivered("api-1")
    record.prompt = .sent
    let p = plan(Self.manifest([Self.project()]), Self.observed(unclosed: [live], panes: [Self.pane("api", "api-1")], state: State(workers: ["api/api-1": record])))
    #expect(p.changes.map(\.step) == [.deliverPrompt])
    #expect(p.changes.first?.reasons == ["prompt sent but not confirmed; check, then retry"])
  }

  @Test func aWorktreeDeletedUnderALiveSessionIsRecreatedFromItsBranch() {
    let live = Self.bead("api-1", status: .inProgress, assignee: "wt")
    var o = Self.observed(unclosed: [live], panes: [Self.pane("api", "api-1")], state: State(workers: ["api/api-1": delivered("api-1")]))
    o.projects["api"]?.worktrees = []
    let p = plan(Self.manifest([Self.project()]), o)
    #expect(p.changes.map(\.step) == [.recreate])
    #expect(p.changes.first?.reasons == ["its worktree /wt/api/api-1 is gone; recreate it from branch wt/api-1"])
  }

  @Test func aCircuitBreakerHoldsBackBeadsThatFailedToStart() {
    var record = WorkerRecord(name: "api/api-1", project: "api", bead: "api-1", branch: "wt/api-1", worktree: "/wt/api/api-1", createdAt: Date(timeIntervalSince1970: 0))
    record.startFailures = 3
    let p = plan(Self.manifest([Self.project()]), Self.observed(ready: [Self.bead("api-1")], state: State(workers: ["api/api-1": record])))
    #expect(p.isEmpty)
    #expect(p.waiting.first?.reason.hasPrefix("failed to start 3 times") == true)
  }

  @Test func maxWorkersCapsAcrossProjects() {
    let m = Self.manifest([Self.project("api", workers: 2), Self.project("web", workers: 2)], maxWorkers: 3)
    let o = Observed(
      projects: [
        "api": .init(ready: [Self.bead("api-1"), Self.bead("api-2")], unclosed: [Self.bead("api-1"), Self.bead("api-2")]),
        "web": .init(ready: [Self.bead("web-1"), Self.bead("web-2")], unclosed: [Self.bead("web-1"), Self.bead("web-2")]),
      ], panes: [], state: State(), machine: Self.idle)
    let p = plan(m, o)
    #expect(summary(p) == ["+api-1", "+api-2", "+web-1"])
    #expect(p.waiting.map(\.reason) == ["no free slot: 3 of max_workers 3 in use"])
  }

  @Test func admissionKeepsBeadsWaitingWhenTheMachineIsFull() {
    let busy = Observed.Machine(cores: 2, load1: 6.2, memoryAvailable: 16 << 30)
    let p = plan(Self.manifest([Self.project()]), Self.observed(ready: [Self.bead("api-1")], machine: busy))
    #expect(p.isEmpty)
    #expect(p.waiting.map(\.reason) == ["admission: load 6.2 over 2 cores is 3.1 per core (max 1.5, settings.admission.max_load_per_core)"])
    let short = Observed.Machine(cores: 2, load1: 0, memoryAvailable: 2 << 30)
    let q = plan(Self.manifest([Self.project()]), Self.observed(ready: [Self.bead("api-1")], machine: short))
    #expect(q.waiting.map(\.reason) == ["admission: 2 GiB memory available, need 2.4 GiB (2 GiB free plus 400 MiB per new agent; settings.admission.min_free_memory)"])
  }

  @Test func admissionThatCannotReadTheMachineStartsAndSaysSo() {
    let blind = Observed.Machine(cores: 2, load1: nil, memoryAvailable: nil)
    let p = plan(Self.manifest([Self.project()]), Self.observed(ready: [Self.bead("api-1"), Self.bead("api-2")], machine: blind))
    #expect(summary(p) == ["+api-1", "+api-2"])
    #expect(p.notes.map(\.text) == [
      "admission not checked: this system does not report the load average (max_load_per_core) or available memory (min_free_memory)"
    ])
    let noLoad = Observed.Machine(cores: 2, load1: nil, memoryAvailable: 2 << 30)
    let q = plan(Self.manifest([Self.project()]), Self.observed(ready: [Self.bead("api-1")], machine: noLoad))
    #expect(q.waiting.map(\.reason) == ["admission: 2 GiB memory available, need 2.4 GiB (2 GiB free plus 400 MiB per new agent; settings.admission.min_free_memory)"])
    #expect(q.notes.isEmpty)
  }

  @Test func aProjectThatCouldNotBeObservedIsLeftAlone() {
    let o = Observed(projects: ["api": .init(error: "`bd ready` failed (exit 1)")], panes: [Self.pane("api", "api-1")], state: State(), machine: Self.idle)
    let p = plan(Self.manifest([Self.project()]), o)
    #expect(p.isEmpty)
    #expect(p.notes.map(\.text) == ["not observed, left alone: `bd ready` failed (exit 1)"])
  }

  @Test func sessionsWithoutOurMarksAreNeverTouched() {
    var foreign = Self.pane("api", "api-9")
    foreign.project = ""
    foreign.bead = ""
    #expect(plan(Self.manifest([Self.project()]), Self.observed(panes: [foreign])).isEmpty)
  }

  @Test func renderedPlanMatchesTheGoldenFile() throws {
    let live = Self.bead("api-1", status: .inProgress, assignee: "wt")
    var record = delivered("api-1")
    record.sessionId = "5f0c1d2e-0000-4000-8000-000000000002"
    let o = Self.observed(
      ready: [Self.bead("api-2", 1), Self.bead("api-3", 2), Self.bead("api-4", 3)],
      unclosed: [live, Self.bead("api-2", 1), Self.bead("api-3", 2), Self.bead("api-4", 3)],
      panes: [Self.pane("api", "api-1", dead: true), Self.pane("api", "api-0")],
      state: State(workers: ["api/api-1": record]))
    let p = plan(Self.manifest([Self.project(workers: 2)]), o)
    try golden("plan.txt", p.rendered())
    try golden("plan.json", try PlanJSON.encode(PlanJSON(p)) + "\n")
    try golden("empty-plan.txt", Plan().rendered())
  }

  func delivered(_ bead: String) -> WorkerRecord {
    var r = WorkerRecord(name: "api/\(bead)", project: "api", bead: bead, branch: "wt/\(bead)", worktree: "/wt/api/\(bead)", createdAt: Date(timeIntervalSince1970: 0))
    r.prompt = .delivered
    return r
  }
}

/// Compares with a committed file; WT_UPDATE_GOLDEN=1 rewrites it.
func golden(_ name: String, _ actual: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
  let path = "\(packageRoot)/Tests/ReconcilerTests/Fixtures/golden/\(name)"
  if ProcessInfo.processInfo.environment["WT_UPDATE_GOLDEN"] == "1" {
    try actual.write(toFile: path, atomically: true, encoding: .utf8)
  }
  let expected = try String(contentsOfFile: path, encoding: .utf8)
  #expect(actual == expected, "golden \(name) differs; rerun with WT_UPDATE_GOLDEN=1 and review the diff", sourceLocation: sourceLocation)
}
