import Foundation
import Manifest

/// `wt done`: gate, then merge / pull request / keep, close the bead, tear
/// the worker down. Safe to run from inside the worker's own session: the
/// session is killed last, after everything that matters is written.
public struct Finish: Sendable {
  public var manifest: Manifest
  public var world: World

  public init(manifest: Manifest, world: World) {
    self.manifest = manifest
    self.world = world
  }

  public func run(_ worker: WorkerRef) async throws -> [String] {
    let project = worker.project
    let git = world.git
    var said: [String] = []
    guard try await git.worktrees(of: project.path).contains(where: { $0.path == worker.worktree }) else {
      throw LifecycleError("\(worker.worktree) is not a worktree of \(project.path); nothing to finish")
    }
    let dirty = try await git.uncommittedFiles(in: worker.worktree)
    if dirty > 0 {
      throw LifecycleError(
        "\(worker.worktree) has \(dirty) uncommitted file\(dirty == 1 ? "" : "s"); commit or remove them, then run 'wt done' again. Nothing was changed.")
    }
    for command in project.gate {
      let out = try await world.runner.output(command, in: worker.worktree, timeout: .seconds(1800))
      if !out.succeeded {
        let tail = (out.stdout + out.stderr).split(separator: "\n").suffix(15).joined(separator: "\n")
        let last = tail.split(separator: "\n").suffix(3).joined(separator: " / ")
        try signal(worker, status: .needsInput, message: "gate `\(command.joined(separator: " "))` failed: \(last)")
        throw LifecycleError(
          "gate `\(command.joined(separator: " "))` failed (exit \(out.status)); nothing was merged.\n\(tail)")
      }
      said.append("gate `\(command.joined(separator: " "))` passed")
    }
    let bead = try await world.tracker.show(worker.bead, in: project.path)
    var reason: String
    var keepWorktree: String?
    switch project.onDone {
    case .merge:
      try await merge(worker)
      said.append("merged \(worker.branch) into \(project.base)")
      reason = "Done: merged \(worker.branch) into \(project.base) by wt"
    case .pr:
      let url = try await pullRequest(worker, title: bead?.title ?? worker.bead, body: bead?.description ?? "")
      said.append("opened \(url)")
      reason = "Done: pull request \(url)"
      keepWorktree = "pull request open: \(url)"
    case .keep:
      said.append("kept branch \(worker.branch)")
      reason = "Done: work is on branch \(worker.branch)"
      keepWorktree = "on_done is keep; branch \(worker.branch)"
    }
    if bead?.isClosed != true {
      try await world.tracker.close(worker.bead, reason: reason, in: project.path)
      said.append("closed \(worker.bead)")
    }
    try signal(worker, status: .done, message: reason)
    world.store.record("done", worker: worker.name, detail: ["reason": reason])

    if let keepWorktree {
      try world.store.update { $0.workers[worker.name]?.retained = keepWorktree }
    } else {
      // Merged and clean, so removing the worktree loses nothing; teardown
      // checks again all the same.
      let safety = try await git.safety(of: worker.worktree, branch: worker.branch, base: project.base, repo: project.path)
      if safety.isSafeToRemove {
        try await git.removeWorktree(repo: project.path, path: worker.worktree, branch: worker.branch)
        try world.store.update { $0.workers[worker.name] = nil }
        said.append("removed \(worker.worktree)")
      }
    }
    // Last: this may be the session wt itself runs in.
    said.append("stopping \(worker.session)")
    try await world.tmux.kill(session: worker.session)
    return said
  }

  /// Merges the worker's branch into base in the main checkout. Refuses,
  /// leaving everything as it was, when the checkout is elsewhere or the
  /// merge conflicts.
  func merge(_ worker: WorkerRef) async throws {
    let repo = worker.project.path
    let base = worker.project.base
    let head = try await world.runner.run(["git", "-C", repo, "symbolic-ref", "--quiet", "--short", "HEAD"])
      .trimmingCharacters(in: .whitespacesAndNewlines)
    guard head == base else {
      throw LifecycleError("the main checkout \(repo) is on '\(head)', not '\(base)'; switch it to \(base) and run 'wt done' again. Nothing was changed.")
    }
    let out = try await world.runner.output(
      ["git", "-C", repo, "merge", "--no-ff", "--no-edit", "-m", "Merge \(worker.branch) (\(worker.bead))", worker.branch])
    if !out.succeeded {
      _ = try? await world.runner.output(["git", "-C", repo, "merge", "--abort"])
      let detail = (out.stdout + out.stderr).split(separator: "\n").filter { $0.contains("CONFLICT") || $0.contains("error") }
        .prefix(5).joined(separator: "\n")
      throw LifecycleError("merging \(worker.branch) into \(base) failed; the merge was undone and nothing changed. Resolve it in the worktree (e.g. git merge \(base)), commit, and run 'wt done' again.\n\(detail)")
    }
  }

  func pullRequest(_ worker: WorkerRef, title: String, body: String) async throws -> String {
    try await world.runner.run(["git", "-C", worker.worktree, "push", "-u", "origin", worker.branch], timeout: .seconds(300))
    let url = try await world.runner.run(
      ["gh", "pr", "create", "--title", title, "--body", body, "--base", worker.project.base, "--head", worker.branch],
      in: worker.worktree, timeout: .seconds(300))
    return url.trimmingCharacters(in: .whitespacesAndNewlines)
  }

  func signal(_ worker: WorkerRef, status: WorkerState, message: String) throws {
    guard let transition = try? StatusSignal(store: world.store).record(worker: worker.name, event: .declared(status, message))
    else { return }
    Notifier(environment: world.environment).notify(transition)
  }
}
