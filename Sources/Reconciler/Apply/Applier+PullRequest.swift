import Foundation
import Manifest

/// The pull-request loop's steps (`Plan.PullRequestStep`).
extension Applier {
  func pullRequest(_ change: Plan.Change, project: Project, step: Plan.PullRequestStep) async throws
    -> StepReport.Outcome
  {
    switch step {
    case .route(let round): return try await route(round, change, project: project)
    case .merged(let number): return try await merged(number, change, project: project)
    case .needsInput(let reason):
      try world.store.update { state in state.workers[change.worker]?.pullRequest?.pending = nil }
      if let transition = try? StatusSignal(store: world.store).record(worker: change.worker, event: .declared(.needsInput, reason)) {
        Notifier(environment: world.environment).notify(transition)
      }
      return .done("needs a person: \(reason)")
    }
  }

  /// Sends a round to the worker, exactly once: recorded as pending, then
  /// as sent before the paste, then as delivered (its keys routed). A
  /// worker whose session ended is revived first: its agent session
  /// resumed where it can be, else a new one primed with the bead, the
  /// pull request's history and this round (`renderPrompt`).
  func route(_ round: PullRequestRecord.Round, _ change: Plan.Change, project: Project) async throws
    -> StepReport.Outcome
  {
    try updateRecord(change.worker) { r in
      if r.pullRequest?.pending == nil { r.pullRequest?.pending = round }
    }
    var revived = ""
    if try await pane(of: change.session) == nil {
      let started = try await start(change, project: project, adopt: true)
      guard case .done(let text) = started else { return started }
      revived = "revived the worker (\(text)); "
      if let record = try record(change.worker), record.pullRequest?.pending?.primed == true, record.prompt == .delivered {
        return .done(revived + finishRound(change.worker))
      }
    }
    guard let pending = try record(change.worker)?.pullRequest?.pending else { return .skipped("no round to send") }
    var delivery = try PromptDelivery(tmux: world.tmux, profile: try profile(change))
    delivery.deadline = deliveryDeadline
    let store = world.store
    let name = change.worker
    let outcome = try await delivery.deliver(pending.text, to: "=\(change.session):", alreadySent: pending.sent) {
      try? store.update { state in state.workers[name]?.pullRequest?.pending?.sent = true }
    }
    switch outcome {
    case .delivered:
      return .done(revived + finishRound(change.worker))
    case .agentExited(let afterSend):
      return .failed("the agent exited \(afterSend ? "after" : "before") the round was sent; the next pass revives it")
    case .unknownScreen(let tail):
      return .failed("the agent's screen is not one wt knows; last lines:\n\(tail)")
    case .notConfirmed:
      return .failed("the round was sent but the agent did not confirm it; the next pass checks again")
    }
  }

  /// The pending round counts as delivered: its keys are never sent again.
  func finishRound(_ worker: String) -> String {
    var said = ""
    try? world.store.update { state in
      guard var pr = state.workers[worker]?.pullRequest, let pending = pr.pending else { return }
      pr.round += 1
      pr.routed += pending.keys
      pr.history.append(pending.summary)
      pr.pending = nil
      state.workers[worker]?.pullRequest = pr
      said = "pull request #\(pr.number): \(pending.summary) sent to the worker"
    }
    world.store.record(.followUp(status: said), worker: worker)
    return said
  }

  /// Merged on GitHub: the bead closes, the session stops, and the
  /// worktree and local branch go when everything in them is on origin's
  /// base (a squash or rebase merge counts: its changes are there); a
  /// commit that never reached the pull request keeps the worktree.
  func merged(_ number: Int, _ change: Plan.Change, project: Project) async throws -> StepReport.Outcome {
    var said: [String] = []
    try await world.git.fetchFromOrigin(project.base, repo: project.path)
    let reason = "Done: pull request #\(number) merged"
    if try await world.tracker.show(change.bead, in: project.path)?.isClosed != true {
      try await world.guardingBeads { try await world.tracker.close(change.bead, reason: reason, in: project.path) }
      said.append("closed \(change.bead)")
    }
    try await world.endSession(change.session, project: project.name, bead: change.bead)
    let base = "refs/remotes/origin/\(project.base)"
    var kept: String?
    if let tree = try await world.git.worktrees(of: project.path).first(where: { $0.path == change.worktree }) {
      let branch = tree.branch ?? change.branch
      let safety = try await world.git.safety(
        of: change.worktree, branch: branch, base: base, repo: project.path,
        ignored: IgnoredFiles(project: project, record: try record(change.worker)))
      if safety.isSafeToRemove {
        try await world.git.removeWorktree(repo: project.path, path: change.worktree, branch: branch)
        said.append("removed \(change.worktree)")
      } else {
        kept = "pull request #\(number) merged, but " + safety.problems(base: "origin/\(project.base)")
        said.append("kept \(change.worktree): \(kept ?? "")")
      }
    }
    if kept == nil, try await world.git.branchExists(change.branch, in: project.path) {
      try await world.git.deleteMergedBranch(change.branch, repo: project.path)
      said.append("deleted branch \(change.branch)")
    }
    if let transition = try? StatusSignal(store: world.store).record(worker: change.worker, event: .declared(.done, reason)) {
      Notifier(environment: world.environment).notify(transition)
    }
    let name = change.worker
    try world.store.update { state in
      if let kept {
        state.workers[name]?.retained = kept
        state.workers[name]?.pullRequest = nil
      } else {
        state.workers[name] = nil
      }
    }
    world.store.record(.done(reason: reason), worker: name)
    return .done(said.joined(separator: "; "))
  }
}
