import Foundation
import Manifest

extension Finish {
  /// Refuses, changing nothing, unless there is real work to finish: the
  /// worktree is clean, its HEAD holds nothing the worker's branch lacks,
  /// and the branch has commits beyond base (or `allowEmpty`). Returns
  /// how many commits the branch has beyond base.
  func checkWork(_ worker: WorkerRef) async throws -> Int {
    let project = worker.project
    let git = world.git
    guard let tree = try await git.worktrees(of: project.path).first(where: { $0.path == worker.worktree }) else {
      throw LifecycleError("\(worker.worktree) is not a worktree of \(project.path); nothing to finish")
    }
    let dirty = try await git.uncommittedFiles(in: worker.worktree)
    if dirty > 0 {
      throw LifecycleError(
        "\(worker.worktree) has \(dirty) uncommitted file\(dirty == 1 ? "" : "s"); commit or remove them, then run 'wt done' again. Nothing was changed.")
    }
    guard try await git.branchExists(worker.branch, in: project.path) else {
      throw LifecycleError("the worker's branch \(worker.branch) is gone from \(project.path); nothing to finish. Nothing was changed.")
    }
    if tree.branch != worker.branch, let head = tree.head {
      let extra = try await git.commitCount("\(worker.branch)..\(head)", repo: project.path)
      if extra > 0 {
        let place = tree.branch.map { "on branch '\($0)'" } ?? "on a detached HEAD (\(head.prefix(10)))"
        let list = try await git.subjects("\(worker.branch)..\(head)", repo: project.path).joined(separator: "; ")
        throw LifecycleError(
          "\(worker.worktree) is \(place) with \(extra) commit\(extra == 1 ? "" : "s") not on \(worker.branch): \(list). Bring them onto \(worker.branch) (git switch \(worker.branch) && git merge \(head.prefix(10))), then run 'wt done' again. Nothing was changed.")
      }
    }
    let ahead = try await git.commitCount("\(project.base)..\(worker.branch)", repo: project.path)
    if ahead == 0, try await mergedEarlier(worker) { return 0 }
    if ahead == 0 && !allowEmpty {
      throw LifecycleError(
        "\(worker.branch) has no commits beyond \(project.base), so there is nothing to merge and \(worker.bead) stays open. Commit the work on \(worker.branch), or run 'wt done --allow-empty' if the bead needed no change. Nothing was changed.")
    }
    return ahead
  }

  /// The branch has moved since wt made it and base holds all of it: an
  /// earlier `wt done` merged it and stopped before the close (bd failed,
  /// or it was interrupted), so this one only has to finish.
  func mergedEarlier(_ worker: WorkerRef) async throws -> Bool {
    guard let start = try world.store.load().workers[worker.name]?.baseCommit else { return false }
    return try await world.git.revParse(worker.branch, repo: worker.project.path) != start
  }

  /// Removes the worktree when it holds nothing that might be work, else
  /// keeps it and says why. The work is already where it belongs, so a
  /// failure here is reported, not thrown.
  func tearDown(_ worker: WorkerRef, keep: String?) async -> [String] {
    let project = worker.project
    do {
      if let keep {
        try world.store.update { $0.workers[worker.name]?.retained = keep }
        return []
      }
      guard try await world.git.worktrees(of: project.path).contains(where: { $0.path == worker.worktree }) else {
        return []
      }
      try await world.settleSandboxed(project: project, bead: worker.bead, worktree: worker.worktree, branch: worker.branch)
      let record = try world.store.load().workers[worker.name]
      let safety = try await world.git.safety(
        of: worker.worktree, branch: worker.branch, base: project.base, repo: project.path,
        ignored: IgnoredFiles(project: project, record: record))
      guard safety.isSafeToRemove else {
        let why = safety.problems(base: project.base)
        try world.store.update { state in
          var r = worker.record(in: state)
          r.retained = why
          state.workers[worker.name] = r
        }
        return ["kept \(worker.worktree): \(why)"]
      }
      world.settleUsage(manifest, worker: worker.name)
      try await world.git.removeWorktree(repo: project.path, path: worker.worktree, branch: worker.branch)
      world.removeSandboxFolder(project: project.name, bead: worker.bead, worktree: worker.worktree)
      try world.store.update { $0.workers[worker.name] = nil }
      return ["removed \(worker.worktree)"]
    } catch {
      return ["could not tear \(worker.worktree) down (\(error)); the next 'wt apply' finishes it"]
    }
  }

  /// Tells the worker what to fix: pasted into its agent through prompt
  /// delivery, or, when `wt done` runs inside the worker, printed for the
  /// agent that runs it. Only when the agent is gone (or cannot take the
  /// prompt) does the worker become needs-input. Returns what happened.
  func followUp(_ worker: WorkerRef, status: String, prompt: String) async throws -> String {
    if insideWorker { return "What to do:\n\(prompt)" }
    let pane = try await world.tmux.panes().first { $0.session == worker.session && !$0.dead }
    var why = "its agent is gone"
    if let pane, let profile = manifest.agents[worker.project.agent] {
      let outcome = try await PromptDelivery(tmux: world.tmux, profile: profile).deliver(prompt, to: pane.paneID)
      if outcome == .delivered {
        world.store.record(.followUp(status: status), worker: worker.name)
        return "The worker was sent a follow-up prompt."
      }
      why = "the follow-up prompt did not reach its agent (\(outcome))"
    }
    try signal(worker, status: .needsInput, message: status)
    return "The worker needs a person: \(why)."
  }
}
