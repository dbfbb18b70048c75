import Foundation
import Manifest

extension Applier {
  /// Claim → worktree → copy, port, setup → session → agent → prompt.
  func start(_ planned: Plan.Change, project: Project, adopt: Bool) async throws
    -> StepReport.Outcome
  {
    var change = planned
    let profile = try profile(project)
    if let foreign = project.foreign, foreign.needsTrust { return .skipped(foreign.refusal) }
    guard BeadID.isValid(change.bead) else {
      return .skipped("bead id '\(change.bead)' is not one bd makes (\(BeadID.refusal(change.bead) ?? "")); it is never claimed")
    }
    switch try await world.tracker.claim(change.bead, in: project.path) {
    case .claimed: break
    case .heldBy(let other): return .skipped("bead \(change.bead) is claimed by \(other)")
    case .notClaimable(let status): return .skipped("bead \(change.bead) cannot be claimed (status \(status))")
    }
    let made: MadeWorktree?
    do {
      made = try await ensureWorktree(change, project: project)
    } catch {
      try await giveBack(change, project: project)
      return .failed("worktree: \(describe(error))")
    }
    if let made { change.branch = made.branch }
    var record = try record(change.worker) ?? WorkerRecord(for: change)
    record.retained = nil
    record.manifest = manifest.file
    record.manifestFromRepository = manifest.foreign != nil
    if let made {
      record.prompt = .pending
      record.sessionId = nil
      record.branch = made.branch
      if let base = made.baseCommit { record.baseCommit = base }
      do {
        let copied = try CopiedFiles.copy(project.copy, from: project.path, into: change.worktree)
        record.copied = try await world.git.blobIDs(copied, in: change.worktree)
        for command in project.setup {
          try await world.runner.run(command, in: change.worktree, timeout: .seconds(900))
        }
      } catch {
        try await giveBack(change, project: project)
        return .failed("setup: \(describe(error))")
      }
    }
    try await world.git.exclude(CopiedFiles.ownFiles, in: change.worktree)
    if profile.hooks == .claude {
      // Every start, so a moved wt binary or a hand-edited file is mended.
      try ClaudeHooks.install(in: change.worktree, wt: world.wtExecutable)
    }
    if project.portEnv != nil && record.port == nil { record.port = try freePort(for: change.worker) }
    let resume = adopt && record.prompt == .delivered && !profile.resume.isEmpty
      ? record.sessionId.flatMap { SessionID.isValid($0) ? $0 : nil } : nil
    if resume == nil && profile.sessionId { record.sessionId = UUID().uuidString.lowercased() }
    let saved = record
    try world.store.update { $0.workers[change.worker] = saved }
    world.store.record(
      adopt ? "adopted" : "created", worker: change.worker,
      detail: ["bead": change.bead, "session": resume ?? record.sessionId ?? "", "worktree": change.worktree])

    if try await pane(of: change.session) == nil {
      try await world.tmux.newSession(
        name: change.session, directory: change.worktree,
        environment: environment(change, project: project, profile: profile, record: record),
        command: command(profile, record: record, change: change, project: project, resume: resume),
        options: ["@wt-project": project.name, "@wt-bead": change.bead, "@wt-worktree": change.worktree])
    }
    let outcome =
      if let resume {
        try await confirmResumed(change, project: project, profile: profile, record: record, session: resume)
      } else {
        try await deliverPrompt(change, project: project, countFailure: true)
      }
    guard let note = made?.note, case .done(let text) = outcome else { return outcome }
    return .done("\(text); note: \(note)")
  }

  /// A start that failed after the claim: the bead goes back, so it is
  /// never left claimed without a worker, and the failure is counted for
  /// the circuit breaker.
  func giveBack(_ change: Plan.Change, project: Project) async throws {
    try? await world.tracker.release(change.bead, in: project.path)
    let name = change.worker
    try world.store.update { state in
      var r = state.workers[name] ?? WorkerRecord(for: change)
      r.startFailures += 1
      state.workers[name] = r
    }
  }

  func freePort(for worker: String) throws -> Int? {
    let taken = Set(try world.store.load().workers.values.filter { $0.name != worker }.compactMap(\.port))
    return manifest.settings.ports.first { !taken.contains($0) }
  }

  func environment(_ change: Plan.Change, project: Project, profile: AgentProfile, record: WorkerRecord)
    -> [String: String]
  {
    var env = world.workerEnvironment
    env["WT_WORKER"] = change.worker
    if let name = project.portEnv, let port = record.port { env[name] = String(port) }
    env.merge(profile.env) { _, agent in agent }
    return env
  }

  func command(_ profile: AgentProfile, record: WorkerRecord, change: Plan.Change, project: Project, resume: String?)
    -> [String]
  {
    if let resume {
      var values = templateValues(change, project: project, record: record)
      values["worker.session_id"] = resume
      return profile.resume.map { $0.render(values) }
    }
    var argv = profile.command
    if profile.sessionId, let id = record.sessionId { argv += ["--session-id", id] }
    return argv
  }

  func templateValues(_ change: Plan.Change, project: Project, record: WorkerRecord?) -> [String: String] {
    var v: [String: String] = [
      "worker.name": change.worker, "worker.branch": change.branch, "worker.worktree": change.worktree,
      "project.name": project.name, "project.path": project.path, "project.base": project.base,
    ]
    v["worker.session_id"] = record?.sessionId
    v["worker.port"] = record?.port.map(String.init)
    return v
  }

  func pane(of session: String) async throws -> Pane? {
    try await world.tmux.panes().first { $0.session == session }
  }

  /// Renders the bead's prompt and delivers it; the record says how far it
  /// got, so a retry never sends twice.
  func deliverPrompt(_ change: Plan.Change, project: Project, countFailure: Bool = false) async throws
    -> StepReport.Outcome
  {
    guard let pane = try await pane(of: change.session) else { return .failed("session \(change.session) is gone") }
    guard let bead = try await world.tracker.show(change.bead, in: project.path) else {
      return .failed("bead \(change.bead) not found")
    }
    let record = try record(change.worker)
    var values = templateValues(change, project: project, record: record)
    values.merge(bead.templateValues) { _, b in b }
    let prompt = project.prompt.render(values)
    var delivery = try PromptDelivery(tmux: world.tmux, profile: try profile(project))
    delivery.deadline = deliveryDeadline
    let store = world.store
    let name = change.worker
    let outcome = try await delivery.deliver(prompt, to: pane.paneID, alreadySent: record?.prompt == .sent) {
      try? store.update { state in state.workers[name]?.prompt = .sent }
      store.record("prompt-sent", worker: name)
    }
    switch outcome {
    case .delivered:
      try updateRecord(name) { $0.prompt = .delivered }
      world.store.record("prompt-delivered", worker: name)
      return .done("prompt delivered to \(change.session)")
    case .agentExited(afterSend: true):
      if try await world.tracker.show(change.bead, in: project.path)?.isClosed == true {
        world.store.record("prompt-delivered", worker: name)
        return .done("prompt delivered; the agent finished \(change.bead) and ended its session")
      }
      return .failed("the agent exited after the prompt was sent (see 'wt seance \(change.bead)')")
    case .agentExited(afterSend: false):
      guard countFailure else {
        return .failed("the agent exited before it took the prompt (see 'wt attach \(change.bead)')")
      }
      // A start that failed: keep its last screen in the message, stop the
      // session and give the bead back, so it is never held without a
      // worker; the circuit breaker counts the failure.
      let screen = (try? await world.tmux.capture(pane: pane.paneID)) ?? ""
      let tail = screen.split(separator: "\n").suffix(5).joined(separator: "\n")
      try await world.tmux.kill(session: change.session)
      try await giveBack(change, project: project)
      return .failed("the agent exited before it took the prompt; released \(change.bead)" + (tail.isEmpty ? "" : ". Last screen:\n\(tail)"))
    case .unknownScreen(let tail):
      return .failed("the agent's screen is not one wt knows; last lines:\n\(tail)")
    case .notConfirmed:
      return .failed("prompt sent but the agent did not confirm it; the next apply checks again")
    }
  }

  func restart(_ change: Plan.Change, project: Project, resume: String?) async throws -> StepReport.Outcome {
    let profile = try profile(project)
    guard let pane = try await pane(of: change.session) else { return .failed("session \(change.session) is gone") }
    var record = try record(change.worker) ?? WorkerRecord(for: change)
    record.restarts += 1
    guard let resume else {
      return try await startAfresh(change, project: project, profile: profile, pane: pane, record: record)
    }
    let saved = record
    try world.store.update { $0.workers[change.worker] = saved }
    world.store.record(
      "restarted", worker: change.worker, detail: ["bead": change.bead, "session": resume, "resume": resume])
    try await world.tmux.respawn(
      pane: pane.paneID, directory: change.worktree,
      command: command(profile, record: record, change: change, project: project, resume: resume))
    if record.prompt == .delivered {
      return try await confirmResumed(change, project: project, profile: profile, record: record, session: resume)
    }
    return try await deliverPrompt(change, project: project)
  }

  /// `--resume` can exit at once ("already in use", nothing to resume);
  /// then the agent starts afresh in the same pane and gets the prompt (the
  /// SessionStart hook primes it with the bead and the latest note).
  func confirmResumed(
    _ change: Plan.Change, project: Project, profile: AgentProfile, record: WorkerRecord, session: String
  ) async throws -> StepReport.Outcome {
    try await Task.sleep(for: resumeGrace)
    guard let pane = try await pane(of: change.session), pane.dead else {
      return .done("resumed session \(session) in \(change.worktree)")
    }
    return try await startAfresh(change, project: project, profile: profile, pane: pane, record: record)
  }

  /// A new agent session in the worker's pane, with a new session id (a
  /// fresh session never has the old one), then its prompt.
  func startAfresh(
    _ change: Plan.Change, project: Project, profile: AgentProfile, pane: Pane, record: WorkerRecord
  ) async throws -> StepReport.Outcome {
    var fresh = record
    fresh.prompt = .pending
    fresh.sessionId = profile.sessionId ? UUID().uuidString.lowercased() : nil
    let saved = fresh
    try world.store.update { $0.workers[change.worker] = saved }
    world.store.record(
      "restarted", worker: change.worker, detail: ["bead": change.bead, "session": fresh.sessionId ?? "", "resume": ""])
    try await world.tmux.respawn(
      pane: pane.paneID, directory: change.worktree,
      command: command(profile, record: fresh, change: change, project: project, resume: nil))
    return try await deliverPrompt(change, project: project)
  }
}
