import Foundation

/// What a release found when it looked again, under the bead guard.
public enum BeadRelease: Equatable, Sendable {
  case released
  /// Closed meanwhile (a `wt done`, a person's `bd close`): left closed.
  case closed
  /// A `wt done` has it queued: left claimed for the merge to close.
  case merging
  /// bd no longer knows the bead.
  case gone

  /// What a command says about it.
  public func said(_ bead: String) -> String {
    switch self {
    case .released: "released \(bead)"
    case .closed: "left \(bead) closed: it was finished meanwhile"
    case .merging: "left \(bead) claimed: it is being merged"
    case .gone: "\(bead) is no longer in bd"
    }
  }
}

extension World {
  /// The one way wt gives a bead back (a failed start, a teardown, `wt
  /// abandon`). It asks the merge queue and bd again right before, under
  /// the bead guard that `wt done` holds to queue a merge and to close a
  /// bead, so a release never lands after a close: `bd update --status
  /// open` on a closed bead would reopen finished work, and the next pass
  /// would start an agent on it.
  public func releaseUnlessFinishing(bead: String, worker: String, repo: String) async throws -> BeadRelease {
    try await guardingBeads {
      let state = try store.load().markingInterruptedMerges(alive: processIsAlive)
      if state.isMerging(worker) { return .merging }
      guard let current = try await tracker.show(bead, in: repo) else { return .gone }
      if current.isClosed { return .closed }
      try await tracker.release(bead, in: repo)
      return .released
    }
  }
}
