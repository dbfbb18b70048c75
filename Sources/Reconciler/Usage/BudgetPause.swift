import Foundation
import Manifest

extension World {
  /// Pauses each worker whose bead has passed its budget, once its turn
  /// has ended (it is idle): `limited` with a `budget` limit, and the
  /// person told. Never mid-turn and never by killing it; the clock never
  /// continues it (only a person, `wt resume`, or a new prompt).
  @discardableResult
  public func recordBudgetPauses(_ manifest: Manifest, _ observed: Observed) -> [StatusSignal.Transition] {
    let live = Set(
      observed.panes.filter { $0.isWorker && !$0.hub && !$0.dead }.map { WorkerNaming.name(project: $0.project, bead: $0.bead) })
    let notifier = Notifier(environment: environment)
    var out: [StatusSignal.Transition] = []
    for record in observed.state.workers.values.sorted(by: { $0.name < $1.name })
    where live.contains(record.name) && record.status == .idle && record.limit == nil {
      guard let why = observed.passedBeadBudget(manifest, record: record),
        let transition = try? StatusSignal(store: store).record(
          worker: record.name, event: .declared(.limited, "paused: \(why)"), at: observed.now)
      else { continue }
      try? store.update { state in
        state.workers[record.name]?.limit = Limit(kind: .budget, until: nil, since: observed.now, reason: why)
      }
      notifier.notify(transition)
      out.append(transition)
    }
    return out
  }
}
