import Foundation
import Manifest

/// What every merge of a finished worker shares: where the person's
/// checkout is busy (then nothing moves), and the gate of `pr` and `keep`,
/// which move no base. The merging itself is `MergeTrain`'s, under the
/// repository's merge lock; it never runs `merge --abort`, `reset`,
/// `checkout` or `stash` in a person's checkout.
struct Merger: Sendable {
  var world: World

  typealias Outcome = MergeOutcome

  /// The gate of the worker's project on its branch as it is, in a
  /// temporary worktree of its own under the state directory.
  static func gate(_ worker: WorkerRef, world: World, sandbox: Sandbox) -> Gate {
    Gate(
      world: world, project: worker.project, directory: "\(world.store.directory)/gates/\(worker.project.name)-\(worker.bead)",
      sandbox: sandbox)
  }

  /// A merge, rebase, cherry-pick, revert or bisect under way in the main
  /// checkout or wherever base is checked out: wt waits for the person.
  func busyCheckout(_ project: Project) async throws -> String? {
    var checkouts = [project.path]
    if let holder = try await world.git.worktrees(of: project.path).first(where: { $0.branch == project.base }),
      holder.path != project.path
    {
      checkouts.append(holder.path)
    }
    for checkout in checkouts {
      if let what = try await world.git.operationInProgress(in: checkout) {
        return "\(checkout) has \(what) in progress; wt leaves it alone and merges nothing until it is finished. Finish or abort it yourself; the loop merges it then (or run 'wt done' again)."
      }
    }
    return nil
  }
}
