import Foundation
import Manifest

extension World {
  /// For agents that report nothing by hooks (Aider and the other
  /// `hooks: none` profiles), the screen is the only witness: what it shows
  /// is recorded as the transition a hook would have made, so the state
  /// file alone (the status line's count, `notify`) knows a question the
  /// agent asks as soon as any long-running look sees it. A question the
  /// profile answers is the agent at work; one it does not waits for a
  /// person.
  /// A provider limit the screen shows (the profile's `limits:`, read by
  /// `LimitScreen`) makes such a worker `limited` with its kind and reset;
  /// one the agent still retries or waits out by itself (`transient`)
  /// changes nothing. For Claude Code, whose StopFailure hook and
  /// transcript say it better, the screen is only the fallback: read when
  /// the worker still shows working and its pane has drawn nothing for
  /// `hookGrace`, so a turn end the hooks missed is not left working.
  @discardableResult
  public func recordScreenStates(_ manifest: Manifest, _ observed: Observed) async -> [StatusSignal.Transition] {
    let signal = StatusSignal(store: store)
    let notifier = Notifier(environment: environment)
    var out: [StatusSignal.Transition] = []
    for pane in observed.panes where pane.isWorker && !pane.hub && !pane.dead {
      let name = WorkerNaming.name(project: pane.project, bead: pane.bead)
      guard let record = observed.state.workers[name], record.prompt == .delivered,
        let project = manifest.project(named: pane.project),
        let profile = manifest.agents[record.agent ?? project.agent],
        profile.hooks == .none || Self.hooksMayHaveMissed(record, pane: pane, profile: profile, now: observed.now),
        let reader = try? ScreenReader(profile: profile), let screen = try? await tmux.capture(pane: pane.paneID)
      else { continue }
      let agent = record.agent ?? project.agent
      let sighting = LimitScreen.sighting(in: screen, profile: profile, now: observed.now, timeZone: .current)
      let state = reader.state(of: screen)
      guard
        let event = profile.hooks == .none
          ? Self.screenEvent(state, sighting: sighting, record: record, profile: profile, agent: agent)
          : Self.limitEvent(sighting, screen: state, agent: agent),
        WorkerCondition.next(after: record.condition, on: event) != record.condition,
        let transition = try? signal.record(worker: name, event: event)
      else { continue }
      notifier.notify(transition)
      out.append(transition)
    }
    return out
  }

  /// How long a hooked agent's pane must hold still, its worker still
  /// working, before its screen may say the turn ended on a limit: Claude
  /// Code's StopFailure comes at once (within the 1.5 s wt's hook waits for
  /// the transcript).
  static let hookGrace: TimeInterval = 30

  static func hooksMayHaveMissed(_ record: WorkerRecord, pane: Pane, profile: AgentProfile, now: Date) -> Bool {
    !profile.limits.isEmpty && record.status == .working && record.limit == nil
      && now.timeIntervalSince1970 - Double(pane.activity) >= hookGrace
  }

  /// The limit a screen shows, as the event a hook would have sent: nil
  /// for none, for one the agent retries or waits out by itself, and
  /// while the agent works.
  static func limitEvent(_ sighting: LimitSighting?, screen: ScreenState, agent: String) -> WorkerEvent? {
    guard let sighting, sighting.kind != .transient, screen != .busy else { return nil }
    let reason = LimitReading.said("\(agent) shows a limit", LimitReading.words(sighting.line))
    return .limitReached(LimitSignal(kind: sighting.kind, resetsAt: sighting.resets, reason: reason))
  }

  /// The event a hook would have sent for what the screen shows, if any.
  static func screenEvent(
    _ screen: ScreenState, sighting: LimitSighting? = nil, record: WorkerRecord, profile: AgentProfile, agent: String
  ) -> WorkerEvent? {
    if let limit = limitEvent(sighting, screen: screen, agent: agent) { return limit }
    let asked = record.status == .needsInput && record.condition?.origin == .question
    switch screen {
    case .question(let i, let text):
      if profile.questions.indices.contains(i) && profile.questions[i].answered { return .toolUsed }
      return .notified("\(agent) asks: " + String(PromptText.argument(ScreenReader.questionSummary(text)).prefix(200)), .question)
    case .busy:
      return .toolUsed
    case .ready:
      return asked ? .screenAsksNothing(busy: false) : .turnEnded(apiError: false)
    case .dialog, .unknown:
      return nil
    }
  }
}
