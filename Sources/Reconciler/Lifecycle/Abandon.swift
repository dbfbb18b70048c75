import Foundation
import Manifest

/// `wt abandon`: stop the worker and release its bead; keep the worktree,
/// or with `delete` remove it only when it holds no work.
public struct Abandon: Sendable {
  public var world: World

  public init(world: World) { self.world = world }

  public func run(_ worker: WorkerRef, delete: Bool) async throws -> [String] {
    let project = worker.project
    if try MergeQueue(world: world).entries().contains(where: { $0.worker == worker.name && $0.isActive }) {
      throw LifecycleError("\(worker.bead) is being merged ('wt queue' shows it); wait for the merge to finish. Nothing was changed.")
    }
    let hasTree = try await world.git.worktrees(of: project.path).contains { $0.path == worker.worktree }
    var safety: WorktreeSafety?
    if hasTree {
      try await world.bringInSandboxed(project: project, bead: worker.bead, worktree: worker.worktree, branch: worker.branch)
      safety = try await world.git.safety(
        of: worker.worktree, branch: worker.branch, base: project.base, repo: project.path,
        ignored: IgnoredFiles(project: project, record: try world.store.load().workers[worker.name]))
    }
    // Refuse before touching anything, so a refused --delete changes nothing.
    if delete, let safety, !safety.isSafeToRemove {
      throw LifecycleError(
        "refusing to delete \(worker.worktree): \(safety.problems(base: project.base)). Nothing was changed; run without --delete to keep it.")
    }
    // Recorded first: a state that cannot be written (a full disk) then
    // changes nothing, rather than leave a stopped session and a released
    // bead that wt's state does not know of.
    if hasTree && !delete {
      let why = safety.map { $0.problems(base: project.base) } ?? ""
      do {
        try world.store.update { state in
          var r = worker.record(in: state)
          r.retained = "abandoned" + (why.isEmpty ? "" : "; \(why)")
          state.workers[worker.name] = r
        }
      } catch {
        throw LifecycleError("cannot record that \(worker.name) is abandoned: \(describe(error)). Nothing was changed.")
      }
    }
    var said: [String] = []
    do {
      try await world.endSession(worker.session, project: project.name, bead: worker.bead)
      said.append("stopped \(worker.session)")
      if hasTree { try await world.settleSandboxed(project: project, bead: worker.bead, worktree: worker.worktree, branch: worker.branch) }
      let released = try await world.releaseUnlessFinishing(bead: worker.bead, worker: worker.name, repo: project.path)
      if released == .released || released == .merging { said.append(released.said(worker.bead)) }
      if delete && hasTree {
        try await world.git.removeWorktree(repo: project.path, path: worker.worktree, branch: worker.branch)
        world.removeSandboxFolder(project: project.name, bead: worker.bead, worktree: worker.worktree)
        said.append("removed \(worker.worktree)")
        try world.store.update { $0.workers[worker.name] = nil }
      } else if hasTree {
        said.append("kept \(worker.worktree)")
      }
    } catch {
      // Exactly what was done, and how to finish: every step is safe to
      // run again.
      let done = said.isEmpty ? "nothing was changed" : "done: " + said.joined(separator: ", ")
      throw LifecycleError(
        "abandoning \(worker.name) failed: \(describe(error)); \(done). Run 'wt abandon \(worker.bead)\(delete ? " --delete" : "")' again to finish.")
    }
    // A failed or held merge of it has nothing left to wait for.
    try MergeQueue(world: world).forget(worker)
    world.store.record(.abandoned(deleted: delete), worker: worker.name)
    return said
  }
}
