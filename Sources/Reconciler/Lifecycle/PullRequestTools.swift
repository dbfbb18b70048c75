import Foundation

/// What `on_done: pr` needs before it pushes anything: a remote named
/// `origin`, GitHub's `gh` on PATH, and `gh` logged in.
public enum PullRequestTools {
  /// Each missing piece, with what to do; empty when all is there.
  public static func problems(repo: String, runner: ProcessRunner) async -> [String] {
    var problems: [String] = []
    if await !Git(runner: runner).hasOrigin(repo) {
      problems.append("\(repo) has no remote 'origin' (git remote add origin URL)")
    }
    if let auth = await GitHub(runner: runner).authProblem(in: repo) { problems.append(auth) }
    return problems
  }
}
