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
    // From here on the bead is ours: a step that fails before the agent's
    // session exists gives it back and counts for the circuit breaker, so
    // a bead is never left claimed without a worker nor retried for ever.
    let launched: Launched
    do {
      launched = try await launch(planned, project: project, profile: profile, adopt: adopt)
    } catch let failed as StartStepFailed {
      let released = try await giveBack(change, project: project)
      return .failed("\(failed.step): \(describe(failed.error)); \(released.said(change.bead))")
    }
    change = launched.change
    let made = launched.made
    let (firstPrompt, resume, record) = (launched.firstPrompt, launched.resume, launched.record)
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

  /// A start that failed after the claim: the bead goes back (unless it
  /// was finished meanwhile), so it is never left claimed without a
  /// worker, and the failure is counted for the circuit breaker.
  @discardableResult
  func giveBack(_ change: Plan.Change, project: Project) async throws -> BeadRelease {
    let released = try await world.releaseUnlessFinishing(bead: change.bead, worker: change.worker, repo: project.path)
    // A bead finished meanwhile keeps no record: its `wt done` removed it.
    guard released == .released || released == .gone else { return released }
    let name = change.worker
    try world.store.update { state in
      var r = state.workers[name] ?? WorkerRecord(for: change)
      r.startFailures += 1
      state.workers[name] = r
    }
    return released
  }

  struct Launched {
    var change: Plan.Change
    var made: MadeWorktree?
    var firstPrompt: String?
    var resume: String?
    var record: WorkerRecord
  }

  /// A start step that failed, named for the message.
  struct StartStepFailed: Error {
    var step: String
    var error: any Error
  }

  /// Worktree → copy, port, setup → hooks, trust → record → session.
  func launch(_ planned: Plan.Change, project: Project, profile: AgentProfile, adopt: Bool) async throws -> Launched {
    func step<T>(_ name: String, _ body: () async throws -> T) async throws -> T {
      do { return try await body() } catch { throw StartStepFailed(step: name, error: error) }
    }
    var change = planned
    let made = try await step("worktree") { try await ensureWorktree(change, project: project) }
    if let made { change.branch = made.branch }
    var record = try await step("state") { try self.record(change.worker) } ?? WorkerRecord(for: change)
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
      record.setupPending = true
      let pending = record
      try await step("state") { try world.store.update { $0.workers[change.worker] = pending } }
    }
    // Before the bead's session exists, and before setup runs the
    // repository's code in it: a sandbox that cannot start gives the bead
    // back like any other failed step.
    let layout = sandbox(change, project: project).isOn
      ? try await step("sandbox") { try await prepareSandbox(change, project: project, profile: profile) } : nil
    if record.setupPending == true {
      try await step("setup") { try await runSetup(change, project: project, record: &record, layout: layout) }
      record.setupPending = nil
    }
    try await step("hooks") {
      try await world.git.exclude(CopiedFiles.ownFiles, in: change.worktree)
      try await installHooks(profile, in: change.worktree)
    }
    if project.portEnv != nil && record.port == nil { record.port = try await step("port") { try freePort(for: change.worker) } }
    let env = environment(change, project: project, profile: profile, record: record)
    let wrapperBytes = layout.map { sandboxed([], change: change, project: project, layout: $0, profile: profile, environment: env).joined(separator: " ").utf8.count } ?? 0
    try await step("trust file") {
      try TrustSeed.seed(profile.trustSeed, worktree: change.worktree, home: env["HOME"] ?? world.environment["HOME"] ?? NSHomeDirectory())
    }
    let resume = adopt && record.prompt == .delivered && !profile.resume.isEmpty
      ? record.sessionId.flatMap { SessionID.isValid($0) && sessionExists($0, profile: profile, environment: env) ? $0 : nil } : nil
    if resume == nil && profile.sessionId { record.sessionId = UUID().uuidString.lowercased() }
    // An agent that takes its first prompt on the command line gets it
    // there, once: recorded as sent before the agent starts.
    var firstPrompt: String? = nil
    let hasPane = try await step("session") { try await pane(of: change.session) != nil }
    // A new agent, not resumed, never had a prompt "sent" to the one
    // before it (its tmux server died between paste and confirmation):
    // it gets the prompt, or delivery would take its empty box for a
    // prompt taken. A live session keeps what was sent to it.
    if !hasPane && resume == nil && record.prompt == .sent { record.prompt = .pending }
    // The account a new session runs on; a live one keeps its own.
    if !hasPane { record.account = change.account }
    // What a new session must not inherit: the server's environment, or
    // this wt's when this call starts the server.
    var unset: [String] = []
    if !hasPane {
      let names = try await step("session") { try await world.tmux.globalEnvironmentNames() }
      unset = unsetVariables(profile, inherited: Set(names).union(world.environment.keys), setting: env)
    }
    if resume == nil, profile.promptArg != nil, record.prompt == .pending, !hasPane {
      firstPrompt = try await step("prompt") { try await renderPrompt(change, project: project, record: record) }
        .flatMap { Self.fitsCommandLine($0, besides: env, unsetting: unset, reserved: wrapperBytes) }
      if firstPrompt != nil { record.prompt = .sent }
    }
    let saved = record
    try await step("state") { try world.store.update { $0.workers[change.worker] = saved } }
    let session = resume ?? record.sessionId ?? ""
    world.store.record(
      adopt
        ? .adopted(bead: change.bead, session: session, worktree: change.worktree)
        : .created(bead: change.bead, session: session, worktree: change.worktree),
      worker: change.worker)
    if !hasPane {
      var argv = command(profile, record: record, change: change, project: project, resume: resume, prompt: firstPrompt)
      if let layout { argv = sandboxed(argv, change: change, project: project, layout: layout, profile: profile, environment: env) }
      try await step("session") {
        do {
          try await world.tmux.newSession(
            name: change.session, directory: change.worktree, environment: env, unset: unset, command: argv,
            options: ["@wt-project": project.name, "@wt-bead": change.bead, "@wt-worktree": change.worktree])
        } catch {
          // No agent started, so a prompt recorded as sent on its command
          // line never went anywhere: the next start gives it again.
          if firstPrompt != nil { try? world.store.update { $0.workers[change.worker]?.prompt = .pending } }
          throw error
        }
      }
    }
    return Launched(change: change, made: made, firstPrompt: firstPrompt, resume: resume, record: record)
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
    // The agent's own home for this worker, never the person's.
    if sandbox(change, project: project).isOn {
      env["HOME"] = world.sandboxFolder(project: project.name, bead: change.bead) + "/home"
    }
    // The account's credentials, read from wt's environment now: never
    // kept in a plan, a record or a message.
    if let name = change.account, let account = manifest.account(named: name) {
      env.merge(account.resolved(in: world.environment)) { _, account in account }
    }
    return Self.failingFast(env, profile: profile, inherited: world.environment)
  }

  /// What a new worker must not inherit: other vendors' keys
  /// (`pass_env`), and every variable an account reads its values from,
  /// so one account's key never reaches another account's worker. What
  /// the worker is given (`env`) is never taken away.
  func unsetVariables(_ profile: AgentProfile, inherited: Set<String>, setting env: [String: String]) -> [String] {
    let sources = manifest.accountSources.filter(inherited.contains)
    return Set(profile.providerKeysToDrop(from: inherited) + sources).subtracting(env.keys).sorted()
  }
}
