import Foundation
import Manifest

/// Resuming a worker whose agent stopped on its provider's limits
/// (issue 23; README, "Usage limits").
extension Applier {
  /// What wt types into a resumed session: the task, not a new one, and
  /// no work done twice (Claude Code's own continuation asks the same).
  public static let followUp = "Continue where you stopped; do not repeat work that is already complete."

  /// Dismisses a dialog that blocks the input box, then delivers the
  /// follow-up through the same delivery as a prompt, recorded in the
  /// limit (`Limit.followUp`) so it is never sent twice. An agent whose
  /// process ended is first started again on its session.
  func resumeAfterLimit(_ change: Plan.Change, project: Project) async throws -> StepReport.Outcome {
    let profile = try profile(change)
    guard var pane = try await pane(of: change.session) else { return try await sessionGone(change, project: project) }
    guard let record = try record(change.worker), let limit = record.limit else {
      return .skipped("\(change.worker) is no longer limited")
    }
    if pane.dead {
      let resume = profile.resume.isEmpty ? nil : record.sessionId.flatMap { SessionID.isValid($0) ? $0 : nil }
      let restarted = try await restart(change, project: project, resume: resume)
      // A fresh start delivers the bead's prompt: that is the resume.
      guard case .done = restarted, resume != nil, let again = try await self.pane(of: change.session), !again.dead else {
        return restarted
      }
      pane = again
    }
    let target = "=\(change.session):"
    if limit.followUp != .sent { try await dismissLimitDialog(in: target, profile: profile) }
    var delivery = try PromptDelivery(tmux: world.tmux, profile: profile)
    delivery.deadline = deliveryDeadline
    let store = world.store
    let name = change.worker
    let outcome = try await delivery.deliver(Self.followUp, to: target, alreadySent: limit.followUp == .sent) {
      // Counted before a byte can reach the agent: a limit hit by this
      // resume is one more try, and a pass that dies now never pastes it
      // again.
      try? store.update { state in
        guard var r = state.workers[name] else { return }
        r.limit?.followUp = .sent
        r.limitResumes = limit.tries + 1
        r.held = nil
        state.workers[name] = r
      }
      store.record(.promptSent, worker: name)
    }
    switch outcome {
    case .delivered:
      // The UserPromptSubmit hook says the same; an agent without hooks
      // has only this.
      try await settleResumed(name)
      return .done("resumed \(change.session) after its limit: follow-up delivered")
    case .agentExited:
      return .failed("the agent exited while it was resumed after its limit (see 'wt seance \(change.bead)')")
    case .unknownScreen(let tail):
      return .failed("the agent's screen is not one wt knows; last lines:\n\(tail)")
    case .notConfirmed:
      return .failed("follow-up sent after the limit but the agent did not confirm it; the next apply checks again")
    }
  }

  /// The follow-up reached the agent: the limit is over (a prompt was
  /// submitted), told once as a resume.
  func settleResumed(_ worker: String) async throws {
    guard try record(worker)?.limit != nil else { return }
    let transition = try StatusSignal(store: world.store).record(worker: worker, event: .promptSubmitted)
    Notifier(environment: world.environment).notify(transition)
  }

  /// Claude Code shows "What do you want to do?" with "Stop and wait for
  /// limit to reset" instead of waiting when the reset is more than a day
  /// away or its own continuation is off; Esc leaves the plain input box
  /// (seen on 2.1.337, docs/limits.md). Only the screen's last lines count,
  /// and never while the agent works: an Esc there would interrupt it.
  func dismissLimitDialog(in target: String, profile: AgentProfile) async throws {
    let screen = try await world.tmux.capture(pane: target)
    guard Self.showsLimitDialog(screen) else { return }
    if let reader = try? ScreenReader(profile: profile), reader.state(of: screen) == .busy { return }
    try await world.tmux.sendKeys(pane: target, ["Escape"])
    try await Task.sleep(for: .milliseconds(600))
  }

  static func showsLimitDialog(_ screen: String) -> Bool {
    let tail = screen.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.suffix(8)
    return tail.contains("What do you want to do?") && tail.contains { $0.hasSuffix("Stop and wait for limit to reset") }
  }

  /// Past `settings.limits.max_resumes`: a person is asked, with the reason.
  func limitNeedsPerson(_ change: Plan.Change, reason: String) throws -> StepReport.Outcome {
    let transition = try StatusSignal(store: world.store).record(worker: change.worker, event: .declared(.needsInput, reason))
    Notifier(environment: world.environment).notify(transition)
    return .done("needs a person: \(reason)")
  }
}

extension Applier {
  /// Claude Code on an API key retries a 429 or 529 ten times over about
  /// 3 minutes before the turn ends (docs/limits.md); wt pauses and
  /// resumes the worker itself, so it fails fast instead:
  /// `CLAUDE_CODE_MAX_RETRIES` 2 (under 2 s), unless the profile's `env` or
  /// the person's environment sets it. A subscription (`CLAUDE_CODE_OAUTH_TOKEN`)
  /// does not retry a usage limit, and is left as it is.
  static let claudeMaxRetries = "2"

  static func failingFast(_ env: [String: String], profile: AgentProfile, inherited: [String: String]) -> [String: String] {
    guard profile.hooks == .claude else { return env }
    let value = { (name: String) in (env[name] ?? inherited[name]).flatMap { $0.isEmpty ? nil : $0 } }
    guard value("ANTHROPIC_API_KEY") != nil, value("CLAUDE_CODE_OAUTH_TOKEN") == nil,
      value("CLAUDE_CODE_MAX_RETRIES") == nil
    else { return env }
    var env = env
    env["CLAUDE_CODE_MAX_RETRIES"] = claudeMaxRetries
    return env
  }
}
