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
    if !recordObservedTransitions(manifest, observed).isEmpty { observed.state = try store.load() }
    return observed
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
