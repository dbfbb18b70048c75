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
  @discardableResult
  public func recordScreenStates(_ manifest: Manifest, _ observed: Observed) async -> [StatusSignal.Transition] {
    let signal = StatusSignal(store: store)
    let notifier = Notifier(environment: environment)
    var out: [StatusSignal.Transition] = []
    for pane in observed.panes where pane.isWorker && !pane.hub && !pane.dead {
      let name = WorkerNaming.name(project: pane.project, bead: pane.bead)
      guard let record = observed.state.workers[name], record.prompt == .delivered,
        let project = manifest.project(named: pane.project),
        let profile = manifest.agents[record.agent ?? project.agent], profile.hooks == .none,
        let reader = try? ScreenReader(profile: profile), let screen = try? await tmux.capture(pane: pane.paneID),
        let event = Self.screenEvent(reader.state(of: screen), record: record, profile: profile, agent: record.agent ?? project.agent),
        WorkerCondition.next(after: record.condition, on: event) != record.condition,
        let transition = try? signal.record(worker: name, event: event)
      else { continue }
      notifier.notify(transition)
      out.append(transition)
    }
    return out
  }

  /// The event a hook would have sent for what the screen shows, if any.
  static func screenEvent(_ screen: ScreenState, record: WorkerRecord, profile: AgentProfile, agent: String) -> WorkerEvent? {
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
