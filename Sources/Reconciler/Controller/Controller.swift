import Foundation
import Logging
import Manifest

/// Runs reconcile passes: observe → plan → apply, for this machine's
/// projects and every host's, once (`wt apply`) or until stopped (`wt apply
/// --watch`, `wt auto`). Level-based, as controller-runtime's `Reconcile`
/// (https://pkg.go.dev/sigs.k8s.io/controller-runtime/pkg/reconcile): every
/// pass recomputes from the world; what must happen later is re-queued by
/// the loop with a reason and a time (`Requeue`), never left for the next
/// command a person happens to run.
///
/// The command line only asks, prints and exits: it hands `pass` a way to
/// approve a preview, and `run` a sink for what happens.
public struct Controller: Sendable {
  public var environment: [String: String]
  public var options: PlanOptions
  /// Nobody is asked and empty plans are not shown; what a look observes
  /// (a dead agent, a bead closed elsewhere) is recorded, so a person is
  /// told once: `--watch`, or a host's pass for the wt that drives it.
  public var unattended = false
  /// How long a pass waits for another apply's lock.
  public var lockWait: Duration = .seconds(60)
  /// How long a host's pass may take once it starts: prompts reach their
  /// agents within the delivery deadline, starts are staggered.
  public var hostPassBudget: Duration = .seconds(600)
  public var logger: Logger

  public init(environment: [String: String], options: PlanOptions, logger: Logger = Logger(label: "wt.apply")) {
    self.environment = environment
    self.options = options
    self.logger = logger
  }

  var stateDirectory: String { StateStore.directory(environment: environment) }

  /// Whether this machine's own projects are part of a pass.
  public func includesLocal(_ manifest: Manifest) -> Bool {
    options.projects.isEmpty
      ? !manifest.projects.isEmpty || manifest.remoteProjects.isEmpty
      : options.projects.contains { manifest.project(named: $0) != nil }
  }

  /// The same choices for a host's wt, for its own projects.
  public func remoteArguments(_ host: RemoteHost, _ manifest: Manifest) -> [String] {
    Fleet.projectArguments(options.projects, host: host, manifest: manifest) + (options.prune ? ["--prune"] : [])
  }

  /// This machine's plan: one observation, planned. Changes nothing.
  public func plan(_ manifest: Manifest, world: World, recording: Bool = false) async throws -> Plan {
    try await observeAndPlan(manifest, world: world, recording: recording).plan
  }

  func observeAndPlan(_ manifest: Manifest, world: World, recording: Bool) async throws -> (plan: Plan, observed: Observed?) {
    guard includesLocal(manifest) else { return (Plan(), nil) }
    let observed = try await world.observe(manifest, projects: options.projects.filter { manifest.project(named: $0) != nil })
    // Unattended, this is the look that notices a dead agent or a bead
    // closed elsewhere; it records them so a person is told once.
    guard recording else { return (world.plan(manifest, observed, options: options), observed) }
    world.recordObservedTransitions(manifest, observed)
    // A worker whose bead passed its budget pauses once its turn ended.
    var seen = observed
    if !world.recordBudgetPauses(manifest, observed).isEmpty { seen.state = try world.store.load() }
    return (world.plan(manifest, seen, options: options), seen)
  }

  /// Every host's plan for its projects, as `wt diff` prints it there
  /// (`json`: as JSON; otherwise with exit 2 for changes).
  public func hostPlans(_ manifest: Manifest, json: Bool) async -> (answers: [HostAnswer], calls: ProcessRunner?) {
    guard !manifest.remoteProjects.isEmpty else { return ([], nil) }
    let fleet = await Fleet.connect(manifest, projects: options.projects, stateDirectory: stateDirectory)
    let answers = await fleet.run { link in
      ["diff"] + remoteArguments(link.host, manifest) + (json ? ["--json"] : ["--detailed-exitcode"])
    }
    return (answers.map { HostAnswer(host: $0.host, result: $0.result) }, fleet.runner)
  }

  /// One observe → plan → apply under the apply lock, for this machine's
  /// projects and, with `hosts`, every host's at the same time. `approve`
  /// sees the preview (this machine's plan; each host's when a person is
  /// asked) and says whether to go on; unasked, hosts apply while this
  /// machine observes, so a slow host never holds up local workers.
  public func pass(
    _ manifest: Manifest, hosts: Bool, asking: Bool, approve: @Sendable (PassPreview) async -> Bool
  ) async throws -> PassReport {
    let fleet = hosts ? Task { await Fleet.connect(manifest, projects: options.projects, stateDirectory: stateDirectory) } : nil
    let unasked = asking ? nil : fleet.map { fleet in Task { await applyOnHosts(fleet.value, manifest) } }
    let world = World(manifest: manifest, environment: environment)
    // The person's environment is the one every gate runs in.
    let localProjects = options.projects.filter { manifest.project(named: $0) != nil }
    if options.projects.isEmpty || !localProjects.isEmpty {
      GateEnvironment.record(environment, in: world.store, projects: localProjects)
    }
    let lock = try await ApplyLock(store: world.store, wait: lockWait)
    defer { withExtendedLifetime(lock) {} }
    let (plan, observed) = try await observeAndPlan(manifest, world: world, recording: unattended)
    var preview = PassPreview(plan: plan, includesLocal: includesLocal(manifest), hosts: [])
    if asking, let fleet {
      // A person answers for every host: show each one's plan first.
      preview.hosts = await fleet.value.run { ["diff", "--detailed-exitcode"] + remoteArguments($0.host, manifest) }
        .map { HostAnswer(host: $0.host, result: $0.result) }
    }
    let approved = await approve(preview)
    var report = PassReport(preview: preview, approved: approved, steps: [], hosts: [], requeue: [])
    guard approved else { return report }
    // A container whose session is gone (a wt or a pane killed before it
    // could remove it) is removed before anything starts.
    if includesLocal(manifest), manifest.usesPodman {
      do {
        for session in try await world.removeOrphanContainers() { logger.info("removed the container of ended session \(session)") }
      } catch {
        logger.warning("could not look for containers left behind: \(error)")
      }
    }
    // Without a person at the plan, the profiles' policies answer the
    // questions agents ask at work (the rest are needs-input).
    if !asking, let observed { await world.answerQuestions(manifest, observed) }
    // Agents without hooks say nothing by themselves: their screens are
    // read, and what they show recorded, on every unattended pass.
    // A question the agent asked that its screen no longer shows (a person
    // said no in the pane, which no hook reports) moves on here too, not
    // only when a watch is open.
    if unattended, let observed {
      await world.recordScreenStates(manifest, observed)
      _ = try? await world.recordAnsweredQuestions(manifest, observed)
    }
    let asked = asking ? fleet.map { fleet in Task { await applyOnHosts(fleet.value, manifest) } } : nil
    if !preview.plan.isEmpty {
      report.steps = await Applier(manifest: manifest, world: world, logger: logger).apply(preview.plan)
    }
    report.hosts = await (unasked ?? asked)?.value ?? []
    report.requeue = Self.requeue(after: report, observed: observed)
    if unattended, let observed, Self.hasScreenOnlyWorkers(manifest, observed) {
      // Their question must reach the person within seconds, not at the
      // next event (they make none) or the steady interval.
      report.requeue.append(Requeue(after: .seconds(10), reason: "agents without hooks are read from their screens"))
    }
    return report
  }

  func applyOnHosts(_ fleet: Fleet, _ manifest: Manifest) async -> [HostAnswer] {
    await fleet.run(timeout: hostPassBudget) { ["apply", "--yes"] + remoteArguments($0.host, manifest) }
      .map { HostAnswer(host: $0.host, result: $0.result) }
  }

  /// What this pass leaves for the loop to look at again soon, rather
  /// than at the steady interval: a change that failed (the circuit
  /// breaker caps starts that keep failing), a bead that waits for the
  /// machine's load to fall, a merge held by the person's checkout.
  /// Whether a live worker's agent reports nothing by hooks.
  static func hasScreenOnlyWorkers(_ manifest: Manifest, _ observed: Observed) -> Bool {
    observed.panes.contains { pane in
      guard pane.isWorker, !pane.hub, !pane.dead, let project = manifest.project(named: pane.project) else { return false }
      let record = observed.state.workers[WorkerNaming.name(project: pane.project, bead: pane.bead)]
      return manifest.agents[record?.agent ?? project.agent]?.hooks == AgentProfile.Hooks.none
    }
  }

  static func requeue(after report: PassReport, observed: Observed?) -> [Requeue] {
    var out: [Requeue] = []
    for entry in observed?.state.merges.values.sorted(by: { $0.worker < $1.worker }) ?? []
    where entry.phase == .held && !(observed?.mergeHoldsCleared.contains(entry.worker) ?? false) {
      out.append(Requeue(after: .seconds(60), reason: "the merge of \(entry.branch) is held; look at the checkout again"))
    }
    let now = observed?.now ?? Date()
    for (worker, look) in (observed?.pullRequests ?? [:]).sorted(by: { $0.key < $1.key }) where look.view?.state == .open || look.problem != nil {
      let number = observed?.state.workers[worker]?.pullRequest?.number ?? 0
      out.append(Requeue(after: .seconds(max(1, Int(look.nextLook.timeIntervalSince(now).rounded(.up)))), reason: "look at pull request #\(number) of \(worker) again"))
    }
    for step in report.steps where step.failed {
      out.append(Requeue(after: .seconds(10), reason: "\(step.action.word) \(step.worker) failed"))
    }
    out += accountResets(report.plan, now: observed?.now ?? Date())
    for waiting in report.plan.waiting where waiting.cause == .admission {
      out.append(Requeue(after: .seconds(15), reason: "\(waiting.project)/\(waiting.bead) waits for the machine: \(waiting.reason)"))
    }
    // A day's budget is new at UTC midnight; a bead's comes back only by
    // a person's hand (a larger budget), which the manifest watch sees.
    if let observed, let waiting = report.plan.waiting.first(where: { $0.cause == .budget }) {
      let midnight = UTCDay.nextMidnight(after: observed.now)
      out.append(Requeue(after: .seconds(max(1, Int(midnight.timeIntervalSince(observed.now).rounded(.up)))), reason: "\(waiting.project)/\(waiting.bead) waits: \(waiting.reason)"))
    }
    return out + limitResumes(observed, now: Date())
  }

  /// Each limited worker the clock resumes, at its time: the loop wakes for
  /// the soonest (a pass that resumes one plans it from `observed.now`).
  static func limitResumes(_ observed: Observed?, now: Date) -> [Requeue] {
    guard let observed else { return [] }
    return observed.state.workers.values.sorted { $0.name < $1.name }.compactMap { r in
      guard r.resumesByClock, let at = r.limit?.resumeAt(worker: r.name) else { return nil }
      // Past its time, the pass just made tried it: a failed resume is
      // tried again as any failed step is, not in a tight loop.
      let ms = at > now ? Int(at.timeIntervalSince(now) * 1000) + 50 : 10_000
      return Requeue(after: .milliseconds(ms), reason: "\(r.name) is limited until \(Planner.iso(r.limit?.until ?? at)); resume it then")
    }
  }
}
