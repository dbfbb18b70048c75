import Foundation
import Manifest

/// Choices that change what a plan contains, set on the command line.
public struct PlanOptions: Equatable, Sendable {
  /// Tear down workers whose bead is no longer selected.
  public var prune = false
  /// Plan only these projects (all when empty). Global limits still count
  /// every project's workers.
  public var projects: [String] = []
  /// The name wt claims beads as.
  public var actor = "wt"
  /// Failed starts (or restarts) after which a bead is held back.
  public var failureBudget = 3
  /// Memory a new agent is expected to take: a Claude Code process is
  /// about 335 MB resident on average and over 1 GB at peak.
  public var agentMemory: UInt64 = 400 << 20
  /// How times in reasons read ("limited until 15:02"): the person's.
  public var timeZone: TimeZone = .current

  public init(prune: Bool = false, projects: [String] = []) {
    self.prune = prune
    self.projects = projects
  }
}

/// `plan(manifest, observed) -> Plan`: pure, no clock, no processes.
///
/// Rules, per project in manifest order:
/// - a bead that is being merged (`wt done` holds it in the merge queue)
///   is left alone: never released, restarted or torn down under it;
/// - a live worker whose bead is closed is torn down;
/// - a live worker whose bead is open stays, even when it is no longer
///   selected (drift: a note, torn down only with `--prune`);
/// - a live worker whose agent exited is restarted (resume when it can),
///   within the failure budget; one that has not taken its prompt gets it;
/// - a bead wt claimed whose worker is gone is adopted, or released when
///   there is no slot for it;
/// - free slots (project `workers`, `max_workers`, admission) are filled
///   with selected ready beads by priority, then age, then id.
public func plan(_ manifest: Manifest, _ observed: Observed, options: PlanOptions = PlanOptions()) -> Plan {
  var planner = Planner(manifest: manifest, observed: observed, options: options)
  return planner.run()
}

/// One plan in the making. Per project the work is split by concern
/// (`Planner+Project.swift`); the rest (capacity, admission, slots) is here.
struct Planner {
  let manifest: Manifest
  let observed: Observed
  let options: PlanOptions
  var result = Plan()
  /// Workers that will exist after this plan, across all projects.
  var globalWorkers = 0
  /// New agents this plan starts, for the memory check.
  var starting = 0
  /// Live workers that stay (bead open), for the over-capacity check.
  var running: [(project: Project, pane: Pane, bead: Bead)] = []
  /// Accounts that start nothing now (`Planner+Accounts.swift`).
  let accountPauses: [AccountKey: AccountPause]

  init(manifest: Manifest, observed: Observed, options: PlanOptions) {
    self.manifest = manifest
    self.observed = observed
    self.options = options
    accountPauses = Self.accountPauses(manifest, observed)
  }

  var workerPanes: [Pane] {
    var seen = Set<String>()
    return observed.panes.filter { $0.isWorker && !$0.hub && seen.insert($0.session).inserted }
  }

  mutating func run() -> Plan {
    let declared = Set(manifest.projects.map(\.name))
    let live = workerPanes
    // Workers of every declared project count toward max_workers, planned
    // or not; those being torn down are subtracted as they are planned.
    globalWorkers = live.filter { declared.contains($0.project) }.count
    for project in manifest.projects where options.projects.isEmpty || options.projects.contains(project.name) {
      planProject(project, panes: live.filter { $0.project == project.name })
    }
    planOverCapacity()
    for project in Set(live.map(\.project)).subtracting(declared).sorted() {
      result.notes.append(.init(project: project, text: "workers of project '\(project)' run, but wt.yaml no longer declares it; they are left alone"))
    }
    return result
  }

  /// More workers than `workers` or `max_workers` allow (the limit was
  /// lowered under them) is drift: said, and with `--prune` the newest
  /// extra workers whose worktrees hold no uncommitted work are stopped
  /// (their beads released); the others stay, and the note says why.
  mutating func planOverCapacity() {
    let changed = Set(result.changes.map(\.worker))
    var extra: [(project: Project, pane: Pane, bead: Bead, why: String)] = []
    let newestFirst = running.sorted { ($0.pane.created, $0.pane.session) > ($1.pane.created, $1.pane.session) }
    for project in manifest.projects {
      let mine = newestFirst.filter { $0.project.name == project.name }
      guard mine.count > project.workers else { continue }
      let why = "project '\(project.name)' runs \(mine.count) workers; workers: \(project.workers)"
      extra += mine.prefix(mine.count - project.workers).map { ($0.project, $0.pane, $0.bead, why) }
    }
    if let cap = manifest.settings.maxWorkers, running.count - extra.count > cap {
      let why = "\(running.count) workers run; max_workers: \(cap)"
      let rest = newestFirst.filter { r in !extra.contains { $0.pane.session == r.pane.session } }
      extra += rest.prefix(running.count - extra.count - cap).map { ($0.project, $0.pane, $0.bead, why) }
    }
    for e in extra {
      let name = WorkerNaming.name(project: e.project.name, bead: e.bead.id)
      guard options.prune else {
        result.notes.append(.init(project: e.project.name, text: "drift: \(e.why); \(e.bead.id) is among the newest extra workers (stop them with --prune)"))
        continue
      }
      let dirty = observed.projects[e.project.name]?.uncommitted[e.pane.worktree]
      if dirty == 0 && !changed.contains(name) {
        add(.teardown(releaseBead: true), e.project, bead: e.bead,
            reasons: ["\(e.why) (--prune); its worktree is clean, stop the newest extra worker"])
        globalWorkers -= 1
      } else {
        let reason = changed.contains(name) ? "it has a pending change" : dirty.map { "its worktree has \($0) uncommitted file\($0 == 1 ? "" : "s")" } ?? "its worktree could not be checked"
        result.notes.append(.init(project: e.project.name, text: "drift: \(e.why); kept \(e.bead.id): \(reason)"))
      }
    }
  }

  /// Beads whose id is not one bd makes never name anything: they are
  /// left out of the plan (never claimed), and said once each.
  mutating func refuseForeignIDs(_ world: Observed.ProjectWorld, project: Project) -> Observed.ProjectWorld {
    var world = world
    var said = Set<String>()
    for bead in world.ready + world.unclosed where said.insert(bead.id).inserted {
      if let problem = bead.unreadable {
        result.notes.append(.init(project: project.name, text: "refused bead '\(bead.id)': bd printed it in a form wt cannot read (\(problem)); it is skipped, never claimed"))
        continue
      }
      guard let why = BeadID.refusal(bead.id) else { continue }
      result.notes.append(.init(project: project.name, text: "refused bead id '\(bead.id)': \(why); it is skipped, never claimed"))
    }
    world.ready.removeAll { !BeadID.isValid($0.id) || $0.unreadable != nil }
    // An unreadable bead stays among the unclosed: a worker on it is not
    // torn down as if its bead had closed.
    world.unclosed.removeAll { !BeadID.isValid($0.id) }
    return world
  }

  func freeSlots(_ project: Project, kept: Int) -> Int {
    let local = project.workers - kept
    let global = (manifest.settings.maxWorkers ?? .max) - globalWorkers
    return max(0, min(local, global))
  }

  func noSlotReason(_ project: Project) -> String {
    if let cap = manifest.settings.maxWorkers, globalWorkers >= cap {
      return "no free slot: \(globalWorkers) of max_workers \(cap) in use"
    }
    return "no free slot: project '\(project.name)' runs its \(project.workers) worker\(project.workers == 1 ? "" : "s")"
  }

  /// A limit whose fact the host could not give is not checked (refusing
  /// forever would be worse); `noteUncheckedAdmission` says so.
  func admissionRefusal() -> String? {
    let machine = observed.machine
    let admission = manifest.settings.admission
    if let load = machine.load1 {
      let perCore = load / Double(max(machine.cores, 1))
      if perCore > admission.maxLoadPerCore {
        let figures = Figures(perCore, against: admission.maxLoadPerCore)
        let total = Figures.text(load, figures.decimals)
        return "admission: load \(total) over \(machine.cores) cores is \(figures.value) per core (max \(figures.limit), settings.admission.max_load_per_core)"
      }
    }
    let need = admission.minFreeMemory + UInt64(starting + 1) * options.agentMemory
    if let available = machine.memoryAvailable, available < need {
      let figures = Figures.memory(available, against: need)
      return "admission: \(figures.available) memory available, need \(figures.need) (\(gib(admission.minFreeMemory)) free plus \(gib(options.agentMemory)) per new agent; settings.admission.min_free_memory)"
    }
    return nil
  }

  /// Once per plan that starts a worker: which admission limit went
  /// unchecked because this system would not tell.
  mutating func noteUncheckedAdmission(_ project: Project) {
    var unknown: [String] = []
    if observed.machine.load1 == nil { unknown.append("the load average (max_load_per_core)") }
    if observed.machine.memoryAvailable == nil { unknown.append("available memory (min_free_memory)") }
    guard !unknown.isEmpty, starting == 0 else { return }
    result.notes.append(.init(
      project: project.name,
      text: "admission not checked: this system does not report \(unknown.joined(separator: " or "))"))
  }

  func selected(_ bead: Bead, in project: Project) -> Bool {
    project.select.matches(id: bead.id, type: bead.type, priority: bead.priority, labels: bead.labels ?? [])
  }

  /// `wt done` holds the bead in the merge queue: it finishes the worker.
  func merging(_ project: Project, _ bead: String) -> Bool {
    observed.state.isMerging(WorkerNaming.name(project: project.name, bead: bead))
  }

  mutating func noteMerging(_ project: Project, _ bead: String) {
    result.notes.append(.init(project: project.name, text: "\(bead) is being merged ('wt queue'); left alone until wt done finishes"))
  }

  func isWtClaim(_ bead: Bead) -> Bool { bead.status == .inProgress && bead.assignee == options.actor }

  func worktreePath(_ project: Project, _ bead: String) -> String {
    WorkerNaming.worktree(root: manifest.settings.worktreeRoot, project: project.name, bead: bead)
  }

  /// The live session when there is one (it may predate a change of
  /// naming), else the name a new one gets.
  func session(_ project: Project, _ bead: String) -> String {
    observed.panes.first { $0.isWorker && !$0.hub && $0.project == project.name && $0.bead == bead }?.session
      ?? WorkerNaming.session(project: project.name, bead: bead)
  }

  /// Priority first, then older beads, then id: the order apply starts them.
  func order(_ a: Bead, _ b: Bead) -> Bool {
    (a.priority, a.createdAt, a.id) < (b.priority, b.createdAt, b.id)
  }

  func heldMerge(_ project: Project, _ bead: String) -> MergeEntry? {
    observed.state.merges[WorkerNaming.name(project: project.name, bead: bead)].flatMap { $0.phase == .held ? $0 : nil }
  }

  /// A merge the person's checkout held is merged again once the checkout
  /// is free (true: planned); until then it is said, and the worker is
  /// planned as any other.
  mutating func retriesHeldMerge(_ project: Project, bead: Bead) -> Bool {
    guard let entry = heldMerge(project, bead.id) else { return false }
    let why = entry.reason ?? "the person's checkout was busy"
    guard observed.mergeHoldsCleared.contains(entry.worker) else {
      result.notes.append(.init(project: project.name, text: "merge of \(entry.branch) held: \(why)"))
      return false
    }
    add(.retryMerge, project, bead: bead, reasons: ["its merge was held (\(why)); that is over: merge it"])
    return true
  }

  mutating func wait(_ project: Project, _ bead: Bead, _ cause: Plan.Waiting.Cause, _ reason: String, until: Date? = nil) {
    result.waiting.append(.init(cause: cause, project: project.name, bead: bead.id, title: bead.title, priority: bead.priority, reason: reason, until: until))
  }

  mutating func add(_ step: Plan.Step, _ project: Project, bead: Bead, reasons: [String], account: String? = nil) {
    add(step, project, beadID: bead.id, title: bead.title, reasons: reasons, labels: bead.labels ?? [], account: account)
  }

  /// `account`: the one a start chose; any other step keeps the
  /// worker's (a live session never moves between accounts).
  mutating func add(
    _ step: Plan.Step, _ project: Project, beadID: String, title: String, reasons: [String],
    labels: [String] = [], account: String? = nil
  ) {
    let record = observed.state.workers[WorkerNaming.name(project: project.name, bead: beadID)]
    // A worker keeps the agent it started with.
    let agent = record?.agent ?? project.agent(forLabels: labels)
    let isStart = if case .start = step { true } else { false }
    result.changes.append(
      .init(
        step: step, project: project.name, bead: beadID, title: title,
        worker: WorkerNaming.name(project: project.name, bead: beadID),
        branch: record?.branch ?? WorkerNaming.branch(bead: beadID),
        worktree: record?.worktree ?? worktreePath(project, beadID),
        session: session(project, beadID), agent: agent, reasons: reasons,
        account: isStart ? account : record?.account))
  }
}

func format(_ x: Double) -> String {
  let rounded = (x * 10).rounded() / 10
  return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
}

func gib(_ bytes: UInt64) -> String {
  let g = Double(bytes) / Double(1 << 30)
  return g >= 1 ? "\(format(g)) GiB" : "\(Int(Double(bytes) / Double(1 << 20))) MiB"
}
