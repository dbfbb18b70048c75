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

  public func run(bead id: String, project name: String?, force: Bool) async throws -> StepReport.Outcome {
    let (project, bead) = try await find(id, project: name)
    if bead.isClosed { throw LifecycleError("bead \(bead.id) is closed; reopen it with 'bd reopen \(bead.id)' first") }
    let actor = (world.tracker as? BeadsCLI)?.actor ?? "wt"
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
    let adopt = bead.status == "in_progress" && bead.assignee == actor
    let change = ref.change(.create, .start(adopt: adopt), title: bead.title, reasons: ["wt new"])
    return try await Applier(manifest: manifest, world: world).execute(change)
  }

  func find(_ id: String, project name: String?) async throws -> (Project, Bead) {
    let projects = try name.map { n in
      guard let p = manifest.project(named: n) else { throw LifecycleError("no project '\(n)' in \(manifest.file)") }
      return [p]
    } ?? manifest.projects
    for project in projects {
      if let bead = try await world.tracker.show(id, in: project.path) {
        if let why = BeadID.refusal(bead.id) {
          throw LifecycleError("project '\(project.name)': bead id '\(bead.id)' is not one bd makes (\(why)); wt will not work on it")
        }
        return (project, bead)
      }
    }
    throw LifecycleError("no bead '\(id)' in \(projects.map(\.name).joined(separator: ", ")); 'wt ready' lists the ready ones")
  }
}
