import Foundation
import Manifest

/// `wt hold NAME` and `wt resume NAME`: a person's say over a worker the
/// clock would resume after its limit (README, "Usage limits").
public struct LimitControl: Sendable {
  public var manifest: Manifest
  public var world: World

  public init(manifest: Manifest, world: World) {
    self.manifest = manifest
    self.world = world
  }

  /// The clock leaves the worker alone until `resume`: now, if it is
  /// limited, and whenever it is next.
  public func hold(_ worker: WorkerRef) throws -> [String] {
    let found = try world.store.update { state -> WorkerRecord? in
      guard var r = state.workers[worker.name] else { return nil }
      r.held = true
      state.workers[worker.name] = r
      return r
    }
    guard let found else { throw LifecycleError("no worker '\(worker.name)' is recorded; 'wt status' lists them") }
    world.store.record(.signal(status: found.status ?? .starting, by: "hold", message: nil, session: nil), worker: worker.name)
    let now = found.status == .limited ? "it is limited; " : "it is \(found.status?.rawValue ?? "starting"); if it stops on a limit, "
    return ["held \(worker.name): \(now)the clock will not resume it; 'wt resume \(worker.bead)' does"]
  }

  /// Resumes the worker now, under the apply lock: before its limit's
  /// time, when held, or when it waits for a person over a limit (billing
  /// fixed) or after too many resumes. The follow-up is delivered once, as
  /// the loop would; its tries start again.
  public func resume(_ worker: WorkerRef, now: Date = Date()) async throws -> StepReport.Outcome {
    let lock = try await ApplyLock(store: world.store, wait: .seconds(60))
    defer { withExtendedLifetime(lock) {} }
    guard try await world.tmux.panes().contains(where: { $0.session == worker.session }) else {
      throw LifecycleError("\(worker.name) has no session; 'wt apply' starts it again (or 'wt seance --resume \(worker.bead)')")
    }
    let state = try world.store.load()
    guard let record = state.workers[worker.name] else {
      throw LifecycleError("no worker '\(worker.name)' is recorded; 'wt status' lists them")
    }
    let status = record.status ?? .starting
    guard status == .limited || status == .needsInput || record.limit != nil else {
      if record.held == true {
        try world.store.update { $0.workers[worker.name]?.held = nil }
        return .done("\(worker.name) is \(status.rawValue), not limited: the hold is lifted")
      }
      throw LifecycleError("\(worker.name) is \(status.rawValue), not limited; nothing to resume")
    }
    try world.store.update { state in
      guard var r = state.workers[worker.name] else { return }
      var limit = r.limit ?? Limit(kind: .unknownReset, until: now, since: now, reason: "a person resumed it")
      if !limit.kind.resumesByClock { limit.kind = .unknownReset }
      limit.until = now
      limit.agentContinues = nil
      limit.tries = 0
      r.limit = limit
      r.limitResumes = nil
      r.held = nil
      r.status = .limited
      r.statusMessage = "resumed by a person"
      r.statusOrigin = nil
      state.workers[worker.name] = r
    }
    world.store.record(.signal(status: .limited, by: "resume", message: "resumed by a person", session: nil), worker: worker.name)
    var change = worker.change(.resumeAfterLimit, title: record.title ?? "", reasons: ["wt resume"])
    // A worker keeps the agent it started with.
    change.agent = record.agent ?? worker.project.agent
    return try await Applier(manifest: manifest, world: world).execute(change)
  }
}
