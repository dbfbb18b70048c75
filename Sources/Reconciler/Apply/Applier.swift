import Foundation
import Logging
import Manifest

/// What happened to one change of a plan.
public struct StepReport: Equatable, Sendable {
  public enum Outcome: Hashable, Sendable {
    case done(String)
    case skipped(String)
    case failed(String)
  }
  public var worker: String
  public var action: Plan.Action
  public var outcome: Outcome

  public var failed: Bool { if case .failed = outcome { true } else { false } }
}

/// Executes a plan against the world. Each change is idempotent, so an
/// apply that was interrupted is finished by the next; workers are handled
/// in parallel, and each worker's steps in order.
public struct Applier: Sendable {
  public var manifest: Manifest
  public var world: World
  public var logger: Logger
  public var deliveryDeadline: Duration = .seconds(90)
  /// Starts are spread out this much: a burst of agents trips API limits
  /// and loads the machine all at once.
  public var stagger: Duration = .milliseconds(250)
  /// How long a resumed agent must stay up to count as resumed.
  public var resumeGrace: Duration = .seconds(3)

  public init(manifest: Manifest, world: World, logger: Logger = Logger(label: "wt.apply")) {
    self.manifest = manifest
    self.world = world
    self.logger = logger
  }

  public func apply(_ plan: Plan) async -> [StepReport] {
    let applier = self
    await queueHeldMerges(plan)
    return await withTaskGroup(of: StepReport.self) { group in
      var starts = 0
      for change in plan.changes {
        let delay = change.action == .create ? stagger * starts : .zero
        if change.action == .create { starts += 1 }
        group.addTask {
          if delay > .zero { try? await Task.sleep(for: delay) }
          let outcome: StepReport.Outcome
          do {
            outcome = try await applier.execute(change)
          } catch {
            outcome = .failed(describe(error))
          }
          applier.logger.debug("\(change.action.word) \(change.worker): \(TerminalText.escape("\(outcome)"))")
          return StepReport(worker: change.worker, action: change.action, outcome: outcome)
        }
      }
      var reports: [StepReport] = []
      for await report in group { reports.append(report) }
      // Report in plan order, whatever order they finished in.
      let order = Dictionary(plan.changes.enumerated().map { ($1.worker, $0) }, uniquingKeysWith: { a, _ in a })
      return reports.sorted { order[$0.worker, default: 0] < order[$1.worker, default: 0] }
    }
  }

  func execute(_ change: Plan.Change) async throws -> StepReport.Outcome {
    guard let project = manifest.project(named: change.project) else {
      return .skipped("project \(change.project) is not in wt.yaml")
    }
    switch change.step {
    case .start(let adopt):
      return try await start(change, project: project, adopt: adopt)
    case .restartAgent(let session):
      return try await restart(change, project: project, resume: session)
    case .deliverPrompt:
      return try await deliverPrompt(change, project: project)
    case .recreate:
      try await world.endSession(change.session, project: project.name, bead: change.bead)
      try await world.git.pruneWorktrees(repo: project.path)
      return try await start(change, project: project, adopt: true)
    case .retryMerge:
      return try await retryMerge(change, project: project)
    case .resumeAfterLimit:
      return try await resumeAfterLimit(change, project: project)
    case .limitNeedsPerson(let reason):
      return try limitNeedsPerson(change, reason: reason)
    case .teardown(let release):
      return try await teardown(change, project: project, releaseBead: release)
    case .pullRequest(let step):
      return try await pullRequest(change, project: project, step: step)
    }
  }

  /// What `wt done` does, for a merge that was held: the merge lock is
  /// waited for only briefly (another merge of the repository may hold
  /// it; the next pass comes back), and a hold that returned says why.
  func retryMerge(_ change: Plan.Change, project: Project) async throws -> StepReport.Outcome {
    var finish = Finish(manifest: manifest, world: world)
    finish.lockWait = .seconds(5)
    let worker = WorkerRef(project: project, bead: change.bead, branch: change.branch, worktree: change.worktree)
    do {
      return .done(try await finish.run(worker).joined(separator: "; "))
    } catch let error as LifecycleError {
      return .failed(error.message)
    }
  }

  /// The held merges this plan retries are queued together before any is
  /// merged, so whichever takes the merge lock first merges them all, in
  /// one batch, in their old places in line.
  func queueHeldMerges(_ plan: Plan) async {
    for change in plan.changes {
      guard case .retryMerge = change.step, let project = manifest.project(named: change.project),
        let tip = try? await world.git.revParse(change.branch, repo: project.path)
      else { continue }
      let worker = WorkerRef(project: project, bead: change.bead, branch: change.branch, worktree: change.worktree)
      try? await MergeQueue(world: world).enqueue(worker, tip: tip, priority: nil)
    }
  }

  func profile(_ change: Plan.Change) throws -> AgentProfile {
    guard let p = manifest.agents[change.agent] else { throw StateError(message: "unknown agent \(change.agent)") }
    return p
  }

  func record(_ name: String) throws -> WorkerRecord? { try world.store.load().workers[name] }

  func updateRecord(_ name: String, _ change: @escaping (inout WorkerRecord) -> Void) throws {
    try world.store.update { state in
      if var r = state.workers[name] {
        change(&r)
        state.workers[name] = r
      }
    }
  }
}
