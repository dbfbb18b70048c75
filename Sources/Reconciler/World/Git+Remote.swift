import Foundation

/// git's remotes, for `on_done: pr`.
extension Git {
  /// Whether `repo` has a remote named `origin`.
  public func hasOrigin(_ repo: String) async -> Bool {
    (try? await runner.output(["git", "-C", repo, "remote", "get-url", "origin"]))?.succeeded == true
  }

  /// Pushes `branch` to origin from `worktree`, setting its upstream.
  /// `hooks: false` for a sandboxed worker's: its pre-push hook would be
  /// the agent's (`Git.noHooks`).
  public func push(_ branch: String, from worktree: String, hooks: Bool = true) async throws {
    try await runner.run(["git"] + (hooks ? [] : Self.noHooks) + ["-C", worktree, "push", "-u", "origin", "--", branch], timeout: .seconds(300))
  }
}

extension Git {
  /// Brings origin's `branch` into `refs/remotes/origin/<branch>`: what a
  /// pull request merged on GitHub is compared with.
  public func fetchFromOrigin(_ branch: String, repo: String) async throws {
    try await runner.run(
      ["git", "-C", repo, "fetch", "--quiet", "origin", "--", "+refs/heads/\(branch):refs/remotes/origin/\(branch)"],
      timeout: .seconds(300))
  }

  /// Deletes a local branch whose work was found on base some other way
  /// than ancestry (a squash or rebase merge): `branch -d` would refuse it.
  public func deleteMergedBranch(_ branch: String, repo: String) async throws {
    try await runner.run(["git", "-C", repo, "branch", "-D", "--", branch])
  }
}
