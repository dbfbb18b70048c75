import Foundation
import Manifest

/// The agent in a worker's pane: its command line, hooks, first prompt,
/// restart and resume.
extension Applier {
  func command(
    _ profile: AgentProfile, record: WorkerRecord, change: Plan.Change, project: Project, resume: String?,
    prompt: String? = nil
  ) -> [String] {
    if let resume {
      var values = templateValues(change, project: project, record: record)
      values["worker.session_id"] = resume
      return profile.resume.map { $0.render(values) }
    }
    var argv = profile.command
    if profile.sessionId, let id = record.sessionId { argv += ["--session-id", id] }
    // One argument, never through a shell (tmux executes argv directly),
    // never read as an option.
    switch (profile.promptArg, prompt.map(PromptText.commandLine)) {
    case (.positional, let p?) where !p.isEmpty: argv.append(p)
    case (.flag(let flag), let p?) where !p.isEmpty: argv += [flag, p]
    default: break
    }
    return argv
  }

  /// The prompt, when it is short enough to go on the command line
  /// (`Tmux.promptArgumentLimit`); nil: it is pasted once the agent is
  /// ready.
  /// `environment` goes in the same tmux message (`new-session -e`), so
  /// what it takes is not left for the prompt: a profile with a large
  /// `env` made a 7.9 KB prompt fail every start with "command too long".
  /// `unsetting`: variables the worker must not inherit, each named twice
  /// in the message (`env -u NAME`, `set-environment -r NAME`); `reserved`:
  /// a sandbox's command before the agent's.
  static func fitsCommandLine(
    _ prompt: String, besides environment: [String: String] = [:], unsetting: [String] = [], reserved: Int = 0
  ) -> String? {
    let bytes = PromptText.commandLine(prompt).utf8.count
    // The agent's command, the folder, the session's name and options.
    let environmentBytes = environment.reduce(2048 + reserved) { $0 + $1.key.utf8.count + $1.value.utf8.count + 8 }
    let rest = unsetting.reduce(environmentBytes) { $0 + 2 * $1.utf8.count + 64 }
    return bytes <= Tmux.promptArgumentLimit && bytes + rest <= Tmux.commandLimit ? prompt : nil
  }

  /// Hooks, every start, so a moved wt binary or a hand-edited file is
  /// mended. Gemini's settings file may be the repository's own: wt never
  /// edits a tracked file, and that worker's status then comes from the
  /// screen.
  func installHooks(_ profile: AgentProfile, in worktree: String) async throws {
    guard let layout = ClaudeHooks.layout(profile.hooks, wt: world.wtExecutable) else { return }
    let path = "\(layout.folder)/\(layout.file)"
    guard try await !world.git.isTracked(path, in: worktree) else { return }
    try ClaudeHooks.install(in: worktree, wt: world.wtExecutable, kind: profile.hooks)
  }

  /// The bead's prompt, rendered; nil when the bead is gone.
  func renderPrompt(_ change: Plan.Change, project: Project, record: WorkerRecord?) async throws -> String? {
    guard let bead = try await world.tracker.show(change.bead, in: project.path) else { return nil }
    var values = templateValues(change, project: project, record: record)
    values.merge(bead.templateValues) { _, b in b }
    let prompt = project.prompt.render(values)
    // A worker revived for its pull request in a new session: the bead,
    // then what happened to the pull request, then this round.
    guard let pr = record?.pullRequest, let round = pr.pending else { return prompt }
    try updateRecord(change.worker) { $0.pullRequest?.pending?.primed = true }
    let history = pr.history.isEmpty ? "" : "Earlier rounds: \(pr.history.joined(separator: "; ")).\n"
    return prompt + "\n\nYou finished this bead once and opened pull request \(pr.url).\n" + history + round.text
  }

  /// A prompt given on the command line: answer the agent's dialogs and
  /// wait until it shows it took the prompt.
  func confirmStarted(_ change: Plan.Change, project: Project, profile: AgentProfile, prompt: String) async throws
    -> StepReport.Outcome
  {
    guard let pane = try await pane(of: change.session) else { return try await sessionGone(change, project: project) }
    var delivery = try PromptDelivery(tmux: world.tmux, profile: profile)
    delivery.deadline = deliveryDeadline
    let store = world.store
    let worker = change.worker
    let hooked = { @Sendable in (try? store.load().workers[worker]?.prompt) == .delivered }
    switch try await delivery.awaitStart(prompt, in: pane.paneID, confirmed: hooked) {
    case .delivered:
      try updateRecord(change.worker) { $0.prompt = .delivered }
      world.store.record(.promptDelivered, worker: change.worker)
      return .done("prompt given to the agent on its command line in \(change.session)")
    case .agentExited:
      if try await world.tracker.show(change.bead, in: project.path)?.isClosed == true {
        return .done("the agent finished \(change.bead) and ended its session")
      }
      return .failed("the agent exited after it was started with its prompt (see 'wt seance \(change.bead)')")
    case .unknownScreen(let tail):
      return .failed("the agent's screen is not one wt knows; last lines:\n\(tail)")
    case .notConfirmed:
      return .failed("the agent was started with its prompt but never showed it working; the next apply checks again")
    }
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

  /// A session that went away under a step: the worker's own `wt done`
  /// (its bead closed) is no failure of this pass.
  func sessionGone(_ change: Plan.Change, project: Project) async throws -> StepReport.Outcome {
    if (try? await world.tracker.show(change.bead, in: project.path))??.isClosed == true {
      return .done("\(change.bead) was finished meanwhile; its session is gone")
    }
    return .failed("session \(change.session) is gone")
  }

  func pane(of session: String) async throws -> Pane? {
    try await world.tmux.panes().first { $0.session == session }
  }

  /// Renders the bead's prompt and delivers it; the record says how far it
  /// got, so a retry never sends twice.
  func deliverPrompt(_ change: Plan.Change, project: Project, countFailure: Bool = false) async throws
    -> StepReport.Outcome
  {
    guard let pane = try await pane(of: change.session) else { return try await sessionGone(change, project: project) }
    let record = try record(change.worker)
    guard let prompt = try await renderPrompt(change, project: project, record: record) else {
      return .failed("bead \(change.bead) not found")
    }
    var delivery = try PromptDelivery(tmux: world.tmux, profile: try profile(change))
    delivery.deadline = deliveryDeadline
    let store = world.store
    let name = change.worker
    // By the worker's session, not the pane id: a tmux server that died
    // and was started again numbers panes from %0 again, so the id this
    // delivery began with may by now be another worker's pane.
    let target = "=\(change.session):"
    let outcome = try await delivery.deliver(prompt, to: target, alreadySent: record?.prompt == .sent) {
      try? store.update { state in state.workers[name]?.prompt = .sent }
      store.record(.promptSent, worker: name)
    }
    switch outcome {
    case .delivered:
      try updateRecord(name) { $0.prompt = .delivered }
      world.store.record(.promptDelivered, worker: name)
      return .done("prompt delivered to \(change.session)")
    case .agentExited(afterSend: true):
      if try await world.tracker.show(change.bead, in: project.path)?.isClosed == true {
        world.store.record(.promptDelivered, worker: name)
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
      try await world.endSession(change.session, project: project.name, bead: change.bead)
      let released = try await giveBack(change, project: project)
      if released == .closed { return .done("\(change.bead) was finished meanwhile; its session is gone") }
      return .failed("the agent exited before it took the prompt; \(released.said(change.bead))" + (tail.isEmpty ? "" : ". Last screen:\n\(tail)"))
    case .unknownScreen(let tail):
      return .failed("the agent's screen is not one wt knows; last lines:\n\(tail)")
    case .notConfirmed:
      return .failed("prompt sent but the agent did not confirm it; the next apply checks again")
    }
  }

  func restart(_ change: Plan.Change, project: Project, resume: String?) async throws -> StepReport.Outcome {
    let profile = try profile(change)
    guard let pane = try await pane(of: change.session) else { return try await sessionGone(change, project: project) }
    var record = try record(change.worker) ?? WorkerRecord(for: change)
    record.restarts += 1
    let env = environment(change, project: project, profile: profile, record: record)
    guard let resume, sessionExists(resume, profile: profile, environment: env) else {
      return try await startAfresh(change, project: project, profile: profile, pane: pane, record: record)
    }
    let saved = record
    try world.store.update { $0.workers[change.worker] = saved }
    world.store.record(.restarted(bead: change.bead, session: resume, resume: resume), worker: change.worker)
    markStarting(change.worker)
    try await world.tmux.respawn(
      pane: pane.paneID, directory: change.worktree,
      command: try await paneCommand(
        command(profile, record: record, change: change, project: project, resume: resume), change: change, project: project,
        profile: profile, record: record))
    if record.prompt == .delivered {
      return try await confirmResumed(change, project: project, profile: profile, record: record, session: resume)
    }
    return try await deliverPrompt(change, project: project)
  }

  /// A restarted agent starts with no question standing: what the old one
  /// asked, or a person said, is over. Claude Code's SessionStart hook says
  /// the same a moment later; an agent without hooks (Aider) has only this.
  func markStarting(_ worker: String) {
    _ = try? StatusSignal(store: world.store).record(worker: worker, event: .sessionStarted)
  }

  /// Whether the agent still has the session, where wt knows its store:
  /// Claude Code keeps one transcript per session under its config folder
  /// (`$CLAUDE_CONFIG_DIR`, else `~/.claude`),
  /// `projects/<folder>/<id>.jsonl`. Elsewhere, or when the worker's
  /// environment names neither folder, wt cannot tell, and a resume that
  /// exits at once falls back to a fresh start.
  func sessionExists(_ id: String, profile: AgentProfile, environment: [String: String]) -> Bool {
    guard profile.hooks == .claude, let config = ClaudeFiles(environment: environment).configDirectory else { return true }
    let projects = (config as NSString).appendingPathComponent("projects")
    let folders = (try? FileManager.default.contentsOfDirectory(atPath: projects)) ?? []
    return folders.contains { FileManager.default.fileExists(atPath: "\(projects)/\($0)/\(id).jsonl") }
  }

  /// `--resume` can exit at once ("already in use", nothing to resume);
  /// then the agent starts afresh in the same pane and gets the prompt (the
  /// SessionStart hook primes it with the bead and the latest note).
  func confirmResumed(
    _ change: Plan.Change, project: Project, profile: AgentProfile, record: WorkerRecord, session: String
  ) async throws -> StepReport.Outcome {
    try await Task.sleep(for: resumeGrace)
    // No pane at all (the tmux server died under us) resumed nothing.
    guard let pane = try await pane(of: change.session) else { return try await sessionGone(change, project: project) }
    guard pane.dead else { return .done("resumed session \(session) in \(change.worktree)") }
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
    let firstPrompt = profile.promptArg == nil
      ? nil : try await renderPrompt(change, project: project, record: fresh).flatMap { Self.fitsCommandLine($0) }
    if firstPrompt != nil { fresh.prompt = .sent }
    let saved = fresh
    try world.store.update { $0.workers[change.worker] = saved }
    world.store.record(.restarted(bead: change.bead, session: fresh.sessionId ?? "", resume: ""), worker: change.worker)
    markStarting(change.worker)
    do {
      try await world.tmux.respawn(
        pane: pane.paneID, directory: change.worktree,
        command: try await paneCommand(
          command(profile, record: fresh, change: change, project: project, resume: nil, prompt: firstPrompt), change: change,
          project: project, profile: profile, record: fresh))
    } catch {
      if firstPrompt != nil { try? updateRecord(change.worker) { $0.prompt = .pending } }
      throw error
    }
    if let firstPrompt { return try await confirmStarted(change, project: project, profile: profile, prompt: firstPrompt) }
    return try await deliverPrompt(change, project: project)
  }
}
