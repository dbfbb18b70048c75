import Manifest

/// Workers with an open pull request: after `wt done` opened it their bead
/// stays in progress and wt's, their session may be gone, and the pull
/// request decides what happens (`PullRequestRound`): a round back to the
/// worker, a person, or the close once it merged. Never adopted, released
/// or restarted as a worker whose session simply went away.
extension Planner {
  mutating func planPullRequests(_ pass: inout ProjectPass) {
    let project = pass.project
    for record in observed.state.workers.values.sorted(by: { $0.name < $1.name })
    where record.project == project.name {
      guard let pr = record.pullRequest else { continue }
      pass.busy.insert(record.bead)
      // One change per worker and pass: mending a live worker comes first.
      if result.changes.contains(where: { $0.worker == record.name }) { continue }
      guard let look = observed.pullRequests[record.name] else { continue }
      if let problem = look.problem {
        result.notes.append(.init(project: project.name, text: "pull request #\(pr.number) of \(record.bead) waits: \(problem); wt looks again later"))
        continue
      }
      guard let view = look.view else { continue }
      let title = pass.unclosed[record.bead]?.title ?? record.title ?? ""
      switch view.state {
      case .merged:
        add(.pullRequest(.merged(number: pr.number)), project, beadID: record.bead, title: title,
            reasons: ["pull request #\(pr.number) was merged: close \(record.bead) and tear the worker down"])
      case .closed:
        needsInput(record, project, title: title, "pull request #\(pr.number) was closed without merging; the worktree \(record.worktree) is kept")
      case .open:
        planOpenPullRequest(record, pr, look, project, title: title, live: pass.unclosed[record.bead] != nil)
      }
    }
  }

  mutating func planOpenPullRequest(
    _ record: WorkerRecord, _ pr: PullRequestRecord, _ look: PullRequestObservation, _ project: Project,
    title: String, live: Bool
  ) {
    let next = PullRequestRound.next(
      look, record: pr, branch: record.branch, base: project.base, maxRounds: project.pr.maxRounds)
    for text in next.shown { result.notes.append(.init(project: project.name, text: text)) }
    // A round already on its way is finished first (it may have been
    // pasted: never pasted twice).
    if let pending = pr.pending {
      add(.pullRequest(.route(pending)), project, beadID: record.bead, title: title,
          reasons: ["pull request #\(pr.number): \(pending.summary) was begun; finish delivering it"])
      return
    }
    guard let round = next.round else { return }
    guard pr.round < project.pr.maxRounds else {
      needsInput(record, project, title: title, "pull request #\(pr.number) still needs work after \(pr.round) round\(pr.round == 1 ? "" : "s") (pr.max_rounds: \(project.pr.maxRounds)): \(round.summary)")
      return
    }
    let pane = observed.panes.first { $0.isWorker && !$0.hub && $0.project == project.name && $0.bead == record.bead && !$0.dead }
    if pane != nil, record.status == .working {
      result.notes.append(.init(project: project.name, text: "pull request #\(pr.number): \(round.summary) waits for \(record.bead)'s agent to finish its turn"))
      return
    }
    add(.pullRequest(.route(round)), project, beadID: record.bead, title: title,
        reasons: ["pull request #\(pr.number): \(round.summary)" + (pane == nil ? "; revive the worker" : "")])
  }

  /// Said once: a worker already waiting for a person with this reason
  /// gets no change.
  mutating func needsInput(_ record: WorkerRecord, _ project: Project, title: String, _ reason: String) {
    guard record.status != .needsInput || record.statusMessage != reason else { return }
    add(.pullRequest(.needsInput(reason)), project, beadID: record.bead, title: title, reasons: [reason])
  }
}
