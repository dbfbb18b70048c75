import Foundation
import Manifest

extension World {
  /// Records what an observation shows that no hook reports — an agent
  /// that exited, a session that is gone, a restart budget spent, a bead
  /// closed elsewhere — as transitions of the state machine, and tells the
  /// person once per transition. The long-running looks (`wt watch`, `wt
  /// apply --watch`) call it after each observation, so the state file
  /// alone answers "who needs me" (`wt status --attention`).
  @discardableResult
  public func recordObservedTransitions(_ manifest: Manifest, _ observed: Observed, failureBudget: Int = 3) -> [StatusSignal.Transition] {
    let signal = StatusSignal(store: store)
    let notifier = Notifier(environment: environment)
    var out: [StatusSignal.Transition] = []
    let panes = Dictionary(
      observed.panes.filter { $0.isWorker && !$0.hub }.map { (WorkerNaming.name(project: $0.project, bead: $0.bead), $0) },
      uniquingKeysWith: { a, _ in a })
    for record in observed.state.workers.values.sorted(by: { $0.name < $1.name }) {
      guard let event = Self.observedEvent(record, pane: panes[record.name], manifest, observed, failureBudget: failureBudget),
        WorkerCondition.next(after: record.condition, on: event) != record.condition,
        let transition = try? signal.record(worker: record.name, event: event)
      else { continue }
      notifier.notify(transition)
      out.append(transition)
    }
    return out
  }

  /// One look for a long-running view: observe, record what it shows,
  /// and carry the state as it is after that record (read again only when
  /// something was recorded; tmux, git and bd are not asked twice).
  public func observeRecordingTransitions(
    _ manifest: Manifest, reusing: [String: Observed.ProjectWorld]? = nil
  ) async throws -> Observed {
    var observed = try await observe(manifest, reusing: reusing)
    await answerQuestions(manifest, observed)
    var recorded = !recordObservedTransitions(manifest, observed).isEmpty
    recorded = try await recordAnsweredQuestions(manifest, observed) || recorded
    recorded = !(await recordScreenStates(manifest, observed)).isEmpty || recorded
    if recorded { observed.state = try store.load() }
    // After the screens: a turn that ended in this look pauses now.
    if !recordBudgetPauses(manifest, observed).isEmpty { observed.state = try store.load() }
    return observed
  }

  /// The agent's own question (a Notification) can be answered where no
  /// hook sees it, by a person who says no in the pane: a screen that asks
  /// nothing moves the recorded state on, so the status line's count
  /// follows the screen.
  func recordAnsweredQuestions(_ manifest: Manifest, _ observed: Observed) async throws -> Bool {
    let signal = StatusSignal(store: store)
    var recorded = false
    for pane in observed.panes where pane.isWorker && !pane.hub {
      guard let record = observed.state.workers[WorkerNaming.name(project: pane.project, bead: pane.bead)],
        let event = await screenEvent(record, pane: pane, manifest)
      else { continue }
      _ = try? signal.record(worker: record.name, event: event)
      recorded = true
    }
    return recorded
  }

  /// How long the agent's question stands before its screen may overrule
  /// it: the notification can come a moment before the question is drawn.
  static let questionSettles: TimeInterval = 5

  /// `screenAsksNothing` when the worker's recorded state is the agent's
  /// own question, it has stood a moment, and the pane shows the input box
  /// or a busy agent instead. Only for Claude Code, whose permission
  /// dialog was seen to match neither (Tests/CLITests/ClaudeGlanceTests):
  /// other profiles' ready patterns (`\S` for some) would also match a
  /// question, so their questions go only with their hooks.
  func screenEvent(_ record: WorkerRecord, pane: Pane, _ manifest: Manifest, now: Date = Date()) async -> WorkerEvent? {
    guard let condition = record.condition, condition.state == .needsInput, condition.origin == .question, !pane.dead,
      now.timeIntervalSince(record.statusAt ?? .distantPast) >= Self.questionSettles,
      let profile = manifest.project(named: record.project).flatMap({ manifest.agents[record.agent ?? $0.agent] }),
      profile.hooks == .claude, let reader = try? ScreenReader(profile: profile), let screen = try? await tmux.capture(pane: pane.paneID)
    else { return nil }
    switch reader.state(of: screen) {
    case .busy: return .screenAsksNothing(busy: true)
    case .ready: return .screenAsksNothing(busy: false)
    case .dialog, .question, .unknown: return nil
    }
  }

  static func observedEvent(
    _ record: WorkerRecord, pane: Pane?, _ manifest: Manifest, _ observed: Observed, failureBudget: Int
  ) -> WorkerEvent? {
    guard manifest.project(named: record.project) != nil, record.retained == nil,
      let world = observed.projects[record.project], world.error == nil
    else { return nil }
    if !world.unclosed.contains(where: { $0.id == record.bead }) {
      return record.status == .done ? nil : .declared(.done, "bead \(record.bead) is closed")
    }
    if let pane {
      guard pane.dead else { return nil }
      if record.restarts >= failureBudget {
        return .declared(
          .stuck, "the agent exited \(record.restarts) times; look with 'wt attach \(record.bead)', then 'wt abandon \(record.bead)'")
      }
      return .observedDead("the agent exited; 'wt apply' restarts it")
    }
    // A worktree without its session died; no worktree means a start that
    // never got a session, which is no worker at all.
    guard !record.neverStarted, world.worktrees.contains(where: { $0.path == record.worktree }) else { return nil }
    return .observedDead("the session is gone; 'wt apply' brings it back")
  }
}
