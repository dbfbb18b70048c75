import Foundation

/// git's remotes, for `on_done: pr`.
extension Git {
  /// Whether `repo` has a remote named `origin`.
  public func hasOrigin(_ repo: String) async -> Bool {
    (try? await runner.output(["git", "-C", repo, "remote", "get-url", "origin"]))?.succeeded == true
  }

  /// Pushes `branch` to origin from `worktree`, setting its upstream.
  public func push(_ branch: String, from worktree: String) async throws {
    try await runner.run(["git", "-C", worktree, "push", "-u", "origin", "--", branch], timeout: .seconds(300))
  }
}
