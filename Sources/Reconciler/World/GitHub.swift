import Foundation

/// GitHub's `gh`, as wt uses it: the one place its argument lists are
/// built. The contract (exit codes, what stdout and stderr carry) is gh's
/// own, read from its source: https://github.com/cli/cli
/// (`pkg/cmd/pr/create/create.go`, `pkg/cmd/auth/status/status.go`).
public struct GitHub: Sendable {
  public var runner: ProcessRunner
  /// How to run gh (a name on PATH, or a path: the tests' double).
  public var executable: String
  /// Added to gh's environment: never a prompt (nobody is there to answer
  /// it), never an update notice on stderr.
  public var environment = ["GH_PROMPT_DISABLED": "1", "GH_NO_UPDATE_NOTIFIER": "1"]

  public init(runner: ProcessRunner, executable: String = "gh") {
    self.runner = runner
    self.executable = executable
  }

  /// What stops gh from acting for the person in `repo`, with what to do;
  /// nil when it is installed and logged in.
  public func authProblem(in repo: String) async -> String? {
    do {
      let auth = try await runner.output([executable, "auth", "status"], in: repo, environment: environment)
      return auth.succeeded ? nil : "gh is not logged in ('gh auth status' failed; run 'gh auth login')"
    } catch {
      return "gh is not installed or not on PATH (https://cli.github.com)"
    }
  }

  /// Opens a pull request of `head` into `base` and returns its URL. Bead
  /// text is passed as `--flag=value`, so a title that begins with a dash
  /// is a title, never an option. A pull request already open for the
  /// branch (a second `wt done`) is that one: gh names it and exits 1.
  public func createPullRequest(
    title: String, body: String, base: String, head: String, in directory: String
  ) async throws -> String {
    let out = try await runner.output(
      [executable, "pr", "create", "--title=\(title)", "--body=\(body)", "--base=\(base)", "--head=\(head)"],
      in: directory, environment: environment, timeout: .seconds(300))
    if out.succeeded { return out.stdout.trimmingCharacters(in: .whitespacesAndNewlines) }
    if let existing = Self.existingPullRequest(out.stderr) { return existing }
    throw CommandError(argv: [executable, "pr", "create"], reason: .exited(out.status), stderr: out.stderr)
  }

  /// The URL in gh's "a pull request for branch … already exists:" error.
  static func existingPullRequest(_ stderr: String) -> String? {
    guard stderr.contains("already exists") else { return nil }
    return stderr.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
      .first { $0.hasPrefix("https://") && $0.contains("/pull/") }
  }
}
