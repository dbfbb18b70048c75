import Foundation
import Manifest

extension Applier {
  /// A worktree made now (setup runs then): its branch, the base commit
  /// a new branch started from, and why the branch is not the usual one.
  struct MadeWorktree {
    var branch: String
    var baseCommit: String?
    var note: String?
  }

  /// The worktree for the change, made if missing (nil when it was there).
  /// A failed `git worktree add` leaves no folder.
  func ensureWorktree(_ change: Plan.Change, project: Project) async throws -> MadeWorktree? {
    // Another start, a worker's `wt done` or a gate may be adding or
    // removing a worktree of this repository: from the listing to the add,
    // this start holds the repository's turn (`WorktreeAdministration`).
    try await world.git.administeringWorktrees(of: project.path) { try await makeWorktree(change, project: project) }
  }

  private func makeWorktree(_ change: Plan.Change, project: Project) async throws -> MadeWorktree? {
    let known = try await world.git.worktrees(of: project.path)
    if known.contains(where: { $0.path == change.worktree }) { return nil }
    let fm = FileManager.default
    if fm.fileExists(atPath: change.worktree) {
      throw StateError(message: "\(change.worktree) exists but is not a worktree of \(project.path); move it away")
    }
    try fm.createDirectory(
      atPath: (change.worktree as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    var made = try await chooseBranch(change, project: project)
    do {
      if try await world.git.branchExists(made.branch, in: project.path) {
        try await world.git.addWorktree(repo: project.path, path: change.worktree, branch: made.branch)
      } else {
        let base = try await world.git.revParse(project.base, repo: project.path)
        made.baseCommit = base
        try await world.git.addWorktree(repo: project.path, path: change.worktree, newBranch: made.branch, at: base)
      }
    } catch {
      try? fm.removeItem(atPath: change.worktree)
      try? await world.git.pruneWorktrees(repo: project.path)
      throw error
    }
    return made
  }

  /// The planned branch, unless it exists and wt did not make it (no
  /// record of it, or it does not descend from the base commit wt
  /// recorded): a person's own `wt/<bead>` is never reused or merged, so
  /// the worker gets the first free `wt/<bead>-N`.
  func chooseBranch(_ change: Plan.Change, project: Project) async throws -> MadeWorktree {
    let git = world.git
    guard try await git.branchExists(change.branch, in: project.path) else { return MadeWorktree(branch: change.branch) }
    let record = try record(change.worker)
    var why: String?
    if record?.branch != change.branch {
      why = "wt has no record of making it"
    } else if let base = record?.baseCommit, !(try await git.isAncestor(base, of: change.branch, repo: project.path)) {
      why = "it does not descend from \(base.prefix(10)), where wt started it"
    }
    guard let why else { return MadeWorktree(branch: change.branch) }
    let stem = WorkerNaming.branch(bead: change.bead)
    var n = 2
    while try await git.branchExists("\(stem)-\(n)", in: project.path) { n += 1 }
    let branch = "\(stem)-\(n)"
    world.store.record(.branchRenamed(branch: branch, existing: change.branch), worker: change.worker)
    return MadeWorktree(
      branch: branch, note: "branch \(change.branch) exists and \(why), so it is left alone; this worker uses \(branch)")
  }
}
