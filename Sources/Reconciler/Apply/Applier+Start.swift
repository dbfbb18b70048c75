import Foundation
import Manifest

extension Applier {
  /// Claim → worktree → copy, port, setup → session → agent → prompt.
  func start(_ planned: Plan.Change, project: Project, adopt: Bool) async throws
    -> StepReport.Outcome
  {
    var change = planned
    let profile = try profile(change)
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
    record.manifestHost = manifest.perspective
    record.agent = change.agent
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
    try await installHooks(profile, in: change.worktree)
    if project.portEnv != nil && record.port == nil { record.port = try freePort(for: change.worker) }
    let env = environment(change, project: project, profile: profile, record: record)
    if let home = env["HOME"] { try TrustSeed.seed(profile.trustSeed, worktree: change.worktree, home: home) }
    let resume = adopt && record.prompt == .delivered && !profile.resume.isEmpty
      ? record.sessionId.flatMap { SessionID.isValid($0) && sessionExists($0, profile: profile, home: env["HOME"]) ? $0 : nil } : nil
    if resume == nil && profile.sessionId { record.sessionId = UUID().uuidString.lowercased() }
    let hasPane = try await pane(of: change.session) != nil
    // A new agent, not resumed, never had a prompt "sent" to the one
    // before it (its tmux server died between paste and confirmation):
    // it gets the prompt, or delivery would take its empty box for a
    // prompt taken. A live session keeps what was sent to it.
    if !hasPane && resume == nil && record.prompt == .sent { record.prompt = .pending }
    // An agent that takes its first prompt on the command line gets it
    // there, once: recorded as sent before the agent starts.
    var firstPrompt: String? = nil
    if resume == nil, profile.promptArg != nil, record.prompt == .pending, !hasPane {
      firstPrompt = try await renderPrompt(change, project: project, record: record).flatMap(Self.fitsCommandLine)
      if firstPrompt != nil { record.prompt = .sent }
    }
    let saved = record
    try world.store.update { $0.workers[change.worker] = saved }
    world.store.record(
      adopt ? "adopted" : "created", worker: change.worker,
      detail: ["bead": change.bead, "session": resume ?? record.sessionId ?? "", "worktree": change.worktree])

    if !hasPane {
      do {
        try await world.tmux.newSession(
          name: change.session, directory: change.worktree,
          environment: env,
          command: command(profile, record: record, change: change, project: project, resume: resume, prompt: firstPrompt),
          options: ["@wt-project": project.name, "@wt-bead": change.bead, "@wt-worktree": change.worktree])
      } catch {
        // No agent started, so its prompt went nowhere.
        if firstPrompt != nil { try? updateRecord(change.worker) { $0.prompt = .pending } }
        throw error
      }
    }
    let outcome =
      if let firstPrompt {
        try await confirmStarted(change, project: project, profile: profile, prompt: firstPrompt)
      } else if let resume {
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
}
