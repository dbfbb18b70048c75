import Foundation
import Manifest

extension Applier {
  /// Stop the session; remove the worktree only when it holds no
  /// uncommitted file and its branch is merged into base (else keep it and
  /// say why); release the bead when it is still open.
  func teardown(_ change: Plan.Change, project: Project, releaseBead: Bool) async throws
    -> StepReport.Outcome
  {
    try await world.endSession(change.session, project: project.name, bead: change.bead)
    var said = ["stopped \(change.session)"]
    let worktrees = try await world.git.worktrees(of: project.path)
    var kept: String?
    if worktrees.contains(where: { $0.path == change.worktree }) {
      try await world.settleSandboxed(project: project, bead: change.bead, worktree: change.worktree, branch: change.branch)
    }
    if let tree = try await world.git.worktrees(of: project.path).first(where: { $0.path == change.worktree }) {
      let branch = tree.branch ?? change.branch
      let safety = try await world.git.safety(
        of: change.worktree, branch: branch, base: project.base, repo: project.path,
        ignored: IgnoredFiles(project: project, record: try record(change.worker)))
      if safety.isSafeToRemove {
        world.settleUsage(manifest, worker: change.worker)
        try await world.git.removeWorktree(repo: project.path, path: change.worktree, branch: branch)
        world.removeSandboxFolder(project: project.name, bead: change.bead, worktree: change.worktree)
        said.append("removed \(change.worktree)")
      } else {
        let why = safety.problems(base: project.base)
        kept = why
        said.append("kept \(change.worktree): \(why)")
      }
    }
    if releaseBead, let why = try await releaseUnlessFinishing(change, project: project) {
      said.append(why)
    }
    let name = change.worker
    world.settleUsage(manifest, worker: name)
    try world.store.update { state in
      if let kept {
        // Remembered even when the state was lost, so status keeps saying
        // why the worktree is still there.
        var r = state.workers[name] ?? WorkerRecord(for: change)
        r.retained = kept
        state.workers[name] = r
      } else {
        state.workers[name] = nil
        if state.merges[name]?.isActive == false { state.merges[name] = nil }
      }
    }
    world.store.record(.deleted(kept: kept ?? ""), worker: name)
    return .done(said.joined(separator: "; "))
  }

  /// Releases the bead unless it is closed or being merged
  /// (`World.releaseUnlessFinishing`).
  func releaseUnlessFinishing(_ change: Plan.Change, project: Project) async throws -> String? {
    let outcome = try await world.releaseUnlessFinishing(bead: change.bead, worker: change.worker, repo: project.path)
    return outcome == .closed || outcome == .gone ? nil : outcome.said(change.bead)
  }
}
