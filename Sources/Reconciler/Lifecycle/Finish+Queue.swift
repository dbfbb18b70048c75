import Foundation
import Manifest

/// `wt done` in the merge queue: its entry's outcome, merged by whoever
/// holds the repository's merge lock (docs/merge-queue.md).
extension Finish {
  /// Takes the merge lock when it is free and merges every waiting entry,
  /// else reads its own entry, until that has an outcome.
  func awaitOutcome(_ worker: WorkerRef, queue: MergeQueue) async throws -> MergeOutcome {
    let deadline = ContinuousClock.now + lockWait
    let told = OnceFlag()
    let progress = self.progress
    while true {
      guard let entry = try world.store.load().merges[worker.name], entry.pid == getpid() else {
        throw LifecycleError(
          "another 'wt done \(worker.bead)' queued its merge meanwhile and reports what comes of it; this one changed nothing.")
      }
      if let outcome = entry.outcome { return outcome }
      do {
        let lock = try await queue.lock(worker, wait: .milliseconds(500)) { holder in
          if told.first() { progress("waiting for the merge queue: \(holder) is merging") }
        }
        do {
          try await drain(worker.project)
        } catch {
          // The merger failed after its own entry came out: that stands.
          if let outcome = try world.store.load().merges[worker.name].flatMap({ $0.pid == getpid() ? $0.outcome : nil }) {
            return outcome
          }
          throw error
        }
        withExtendedLifetime(lock) {}
      } catch let busy as FileLock.Busy {
        guard ContinuousClock.now >= deadline else { continue }
        // Still in line: held, so the loop merges it on a later pass; once
        // a merger took it, its outcome is on its way.
        let why = "waited \(lockWait) for \(busy.what), held by \(busy.holder); the loop merges it later"
        if try queue.giveUp(worker, reason: why) { throw LifecycleError("the merge of \(worker.branch) waits: \(why)") }
      }
    }
  }

  /// Merges every waiting entry of the project's repository (the merge
  /// lock held).
  func drain(_ project: Project) async throws {
    try await MergeTrain(
      world: world, project: project, policy: manifest.settings.merge, parallelCap: Self.parallelCap(manifest),
      sandbox: manifest.commandSandbox(for: project))
      .drain()
  }

  /// Gates at once that the admission limits let this machine carry:
  /// each gate is about one busy core.
  static func parallelCap(_ manifest: Manifest) -> Int {
    max(1, Int(Double(ProcessInfo.processInfo.activeProcessorCount) * manifest.settings.admission.maxLoadPerCore))
  }
}

/// True the first time only: a wait is said once.
final class OnceFlag: @unchecked Sendable {
  private let lock = NSLock()
  private var done = false
  func first() -> Bool { lock.withLock { defer { done = true }; return !done } }
}
