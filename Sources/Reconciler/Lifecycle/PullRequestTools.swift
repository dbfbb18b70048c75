import Foundation

/// What `on_done: pr` needs before it pushes anything: a remote named
/// `origin`, GitHub's `gh` on PATH, and `gh` logged in.
public enum PullRequestTools {
  /// Each missing piece, with what to do; empty when all is there.
  public static func problems(repo: String, runner: ProcessRunner) async -> [String] {
    var problems: [String] = []
    let origin = try? await runner.output(["git", "-C", repo, "remote", "get-url", "origin"])
    if origin?.succeeded != true {
      problems.append("\(repo) has no remote 'origin' (git remote add origin URL)")
    }
    do {
      let auth = try await runner.output(["gh", "auth", "status"], in: repo)
      if !auth.succeeded { problems.append("gh is not logged in ('gh auth status' failed; run 'gh auth login')") }
    } catch {
      problems.append("gh is not installed or not on PATH (https://cli.github.com)")
    }
    return problems
  }
}
