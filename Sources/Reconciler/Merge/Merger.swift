import Foundation
import Manifest

/// Merges one finished worker into base without touching any checkout:
/// `merge-tree --write-tree` base ← branch, `commit-tree`, the gate on that
/// commit in a worktree of wt's own, then base moves by fast-forward or
/// compare-and-swap (see `Git.advance`). Run under the repository's merge
/// lock; never runs `merge --abort`, `reset`, `checkout` or `stash`.
struct Merger: Sendable {
  var world: World

  enum Outcome: Equatable, Sendable {
    case merged(commit: String, how: String, gated: [String])
    /// Merging would change nothing: base has the branch's changes.
    case alreadyInBase
    case conflict(files: [String])
    case gateFailed(command: [String], status: Int32, excerpt: String)
    /// Nothing merged; the person's checkout is in the way (why).
    case held(String)
  }

  /// How often a merge is recomputed when base moves under it.
  var attempts = 5

  /// Merges `tip`, the commit the worker's branch pointed at when the
  /// lock was taken: a branch deleted or moved meanwhile changes nothing.
  func merge(_ worker: WorkerRef, tip: String) async throws -> Outcome {
    let project = worker.project
    let repo = project.path
    let git = world.git
    for _ in 0..<attempts {
      if let busy = try await busyCheckout(project) { return .held(busy) }
      let old = try await git.revParse(project.base, repo: repo)
      let tree: String
      switch try await git.mergeTree(base: old, branch: tip, repo: repo) {
      case .conflict(let files): return .conflict(files: files)
      case .clean(let t): tree = t
      }
      let baseTree = try await git.revParse(old, repo: repo, tree: true)
      if tree == baseTree { return .alreadyInBase }
      let commit = try await git.commitTree(
        tree, parents: [old, tip], message: "Merge \(worker.branch) (\(worker.bead)) by wt", repo: repo)
      let gated: [String]
      switch try await Self.gate(worker, world: world).run(on: commit) {
      case .failed(let command, let status, let excerpt):
        return .gateFailed(command: command, status: status, excerpt: excerpt)
      case .passed(let commands): gated = commands
      }
      if let busy = try await busyCheckout(project) { return .held(busy) }
      switch try await git.advance(base: project.base, from: old, to: commit, repo: repo) {
      case .moved(let how): return .merged(commit: commit, how: how, gated: gated)
      case .baseMoved: continue
      case .localChanges(let checkout, let files):
        return .held(
          "\(checkout) has uncommitted changes to \(files.joined(separator: ", ")), which the merge changes; git refused to fast-forward and nothing of yours was touched. Commit or move those changes, then run 'wt done \(worker.bead)' again.")
      }
    }
    return .held("\(project.base) kept moving while wt merged (\(attempts) tries); run 'wt done \(worker.bead)' again")
  }

  /// The gate of the worker's project, in a temporary worktree of its own
  /// under the state directory.
  static func gate(_ worker: WorkerRef, world: World) -> Gate {
    Gate(world: world, project: worker.project, directory: "\(world.store.directory)/gates/\(worker.project.name)-\(worker.bead)")
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
        return "\(checkout) has \(what) in progress; wt leaves it alone and merges nothing until it is finished. Finish or abort it yourself, then run 'wt done' again."
      }
    }
    return nil
  }
}
