import Foundation
import Manifest

/// `wt new BEAD`: one worker now, for a bead outside the selection, with the
/// same steps and safety as apply; inside the limits unless forced.
public struct StartOne: Sendable {
  public var manifest: Manifest
  public var world: World

  public init(manifest: Manifest, world: World) {
    self.manifest = manifest
    self.world = world
  }

  /// `resume`: the agent session to reopen (`wt seance --resume`); every
  /// refusal comes before the worker's record is touched, so a refused
  /// resume changes nothing.
  public func run(bead id: BeadID, project name: String?, force: Bool, resume: String? = nil) async throws
    -> StepReport.Outcome
  {
    let (project, bead) = try await find(id, project: name)
    if bead.isClosed { throw LifecycleError("bead \(bead.id) is closed; reopen it with 'bd reopen \(bead.id)' first") }
    let actor = world.actor
    if let holder = bead.assignee, !holder.isEmpty, holder != actor {
      throw LifecycleError("bead \(bead.id) is claimed by \(holder); nothing was started")
    }
    let lock = try await ApplyLock(store: world.store, wait: .seconds(60))
    defer { withExtendedLifetime(lock) {} }
    let panes = try await world.tmux.panes().filter { $0.isWorker && !$0.hub }
    if panes.contains(where: { $0.project == project.name && $0.bead == bead.id }) {
      throw LifecycleError("bead \(bead.id) already has a worker; see 'wt status' or 'wt attach \(bead.id)'")
    }
    if !force {
      let here = Set(panes.filter { $0.project == project.name }.map(\.session)).count
      let all = Set(panes.filter { p in manifest.projects.contains { $0.name == p.project } }.map(\.session)).count
      if here >= project.workers {
        throw LifecycleError("project '\(project.name)' already runs its \(project.workers) worker\(project.workers == 1 ? "" : "s"); wait, or use --force")
      }
      if let cap = manifest.settings.maxWorkers, all >= cap {
        throw LifecycleError("\(all) of max_workers \(cap) are running; wait, or use --force")
      }
    }
    let tree = WorkerNaming.worktree(root: manifest.settings.worktreeRoot, project: project.name, bead: bead.id)
    let ref = WorkerRef(project: project, bead: bead.id, branch: WorkerNaming.branch(bead: bead.id), worktree: tree)
    var adopt = bead.status == .inProgress && bead.assignee == actor
    if let resume {
      // Start resumes a session whose prompt was delivered: the agent takes
      // the conversation up where it ended, and no prompt is sent again.
      try world.store.update { state in
        var r = ref.record(in: state)
        r.sessionId = resume
        r.prompt = .delivered
        r.retained = nil
        state.workers[ref.name] = r
      }
      adopt = true
    }
    var change = ref.change(.start(adopt: adopt), title: bead.title, reasons: [resume == nil ? "wt new" : "wt seance --resume"])
    change.agent = (try world.store.load().workers[ref.name]?.agent) ?? project.agent(forLabels: bead.labels ?? [])
    change.account = try startingAccount(project, agent: change.agent, bead: bead.id, force: force)
    return try await Applier(manifest: manifest, world: world).execute(change)
  }

  /// The first of the project's accounts that is not paused; when every
  /// one is, a refusal that says why, unless forced (then the first).
  func startingAccount(_ project: Project, agent: String, bead: String, force: Bool) throws -> String? {
    let choice = Plan.account(for: project, agent: agent, manifest: manifest, state: try world.store.load(), now: Date())
    if let paused = choice.paused, !force {
      throw LifecycleError("bead \(bead) would start on a paused account: \(paused); wait for the reset, or use --force")
    }
    return choice.account
  }

  func find(_ id: BeadID, project name: String?) async throws -> (Project, Bead) {
    let projects = try name.map { n in
      guard let p = manifest.project(named: n) else { throw LifecycleError("no project '\(n)' in \(manifest.file)") }
      return [p]
    } ?? manifest.projects
    for project in projects {
      if let bead = try await world.tracker.show(id.rawValue, in: project.path) {
        if let why = BeadID.refusal(bead.id) {
          throw LifecycleError("project '\(project.name)': bead id '\(bead.id)' is not one bd makes (\(why)); wt will not work on it")
        }
        return (project, bead)
      }
    }
    throw LifecycleError("no bead '\(id)' in \(projects.map(\.name).joined(separator: ", ")); 'wt ready' lists the ready ones")
  }
}
