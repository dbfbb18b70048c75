import Foundation

/// What the pull-request loop asks of gh. Every call names the pull
/// request by its URL or its repository explicitly (`-R OWNER/REPO`,
/// `repos/OWNER/REPO/…`): gh then needs no git remote that points at a
/// GitHub host, and a worktree's remotes cannot redirect it. Contract:
/// https://github.com/cli/cli `pkg/cmd/pr/view`, `pkg/cmd/pr/merge`,
/// `pkg/cmd/run/view`, `pkg/cmd/run/list`, `pkg/cmd/api`.
extension GitHub {
  /// Where a pull request lives, read from its URL
  /// (`https://HOST/OWNER/REPO/pull/N`).
  public struct PullRequestAddress: Equatable, Sendable {
    public var host: String
    public var owner: String
    public var repo: String
    public var number: Int
    public var slug: String { "\(owner)/\(repo)" }

    public init?(url: String) {
      guard let u = URL(string: url), u.scheme == "https", let host = u.host else { return nil }
      let parts = u.path.split(separator: "/").map(String.init)
      guard parts.count >= 4, parts[2] == "pull", let n = Int(parts[3]),
        [parts[0], parts[1]].allSatisfy({ Self.isName($0) })
      else { return nil }
      (self.host, owner, repo, number) = (host, parts[0], parts[1], n)
    }

    /// GitHub's owner and repository names: letters, digits, `-`, `_`, `.`.
    static func isName(_ s: String) -> Bool {
      !s.isEmpty && !s.hasPrefix("-") && !s.hasPrefix(".")
        && s.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }
    }
  }

  /// A gh call that failed, with gh's reason; `unauthenticated` for exit 4
  /// (no token: gh's help topic `gh help exit-codes`).
  public struct Failure: Error, Equatable, Sendable, CustomStringConvertible {
    public var reason: String
    public var unauthenticated = false
    public var description: String { reason }
  }

  func call(_ argv: [String], in directory: String, timeout: Duration = .seconds(60)) async throws -> String {
    let out: CommandOutput
    do {
      out = try await runner.output([executable] + argv, in: directory, environment: environment, timeout: timeout)
    } catch {
      if case .couldNotStart = error.reason {
        throw Failure(reason: "gh is not installed or not on PATH (https://cli.github.com)")
      }
      throw Failure(reason: "\(error)")
    }
    if out.succeeded { return out.stdout }
    let said = out.stderr.split(whereSeparator: \.isNewline).first.map(String.init) ?? "exit \(out.status)"
    if out.status == 4 {
      throw Failure(reason: "gh is not logged in (run 'gh auth login')", unauthenticated: true)
    }
    throw Failure(reason: "gh \(argv.prefix(2).joined(separator: " ")) failed: \(InertLine.of(said))")
  }

  /// The pull request's state, head, checks, reviews and mergeability:
  /// one `gh pr view`.
  public func pullRequest(_ address: PullRequestAddress, url: String, in directory: String) async throws -> PullRequestView {
    let json = try await call(["pr", "view", url, "--json", PullRequestView.fields], in: directory)
    do { return try PullRequestView.parse(json) } catch {
      throw Failure(reason: "gh pr view printed JSON wt cannot read (\(error))")
    }
  }

  /// Line review comments, every page (`--paginate` merges them into one
  /// array).
  public func lineComments(_ address: PullRequestAddress, in directory: String) async throws -> [PullRequestView.LineComment] {
    let json = try await call(
      ["api", "--hostname", address.host, "--paginate", "repos/\(address.slug)/pulls/\(address.number)/comments"],
      in: directory)
    do { return try PullRequestView.parseLineComments(json) } catch {
      throw Failure(reason: "gh api …/pulls/\(address.number)/comments printed JSON wt cannot read (\(error))")
    }
  }

  /// The failed steps' log of one Actions run (`gh run view --log-failed`):
  /// each line `job<TAB>step<TAB>raw`; the raw part is returned, the
  /// timestamp Actions puts first removed.
  public func failedLog(run: String, _ address: PullRequestAddress, in directory: String) async throws -> [String] {
    let text = try await call(["run", "view", run, "-R", address.slug, "--log-failed"], in: directory, timeout: .seconds(120))
    return text.split(whereSeparator: \.isNewline).map { line in
      let raw = line.split(separator: "\t", maxSplits: 2, omittingEmptySubsequences: false).last.map(String.init) ?? ""
      guard let space = raw.firstIndex(of: " "), raw[..<space].hasSuffix("Z"), raw[..<space].contains("T") else { return raw }
      return String(raw[raw.index(after: space)...])
    }
  }

  /// Workflows whose newest completed run on `branch` failed: a check of
  /// the same workflow failing on a pull request into it is not the
  /// pull request's doing.
  public func failingWorkflows(on branch: String, _ address: PullRequestAddress, in directory: String) async throws -> Set<String> {
    let json = try await call(
      ["run", "list", "-R", address.slug, "--branch", branch, "--limit", "20", "--json", "conclusion,status,workflowName"],
      in: directory)
    struct Run: Decodable { var conclusion: String?; var status: String?; var workflowName: String? }
    var newest: [String: String] = [:]
    for run in (try? JSONDecoder().decode([Run].self, from: Data(json.utf8))) ?? [] where run.status == "completed" {
      if let name = run.workflowName, newest[name] == nil { newest[name] = run.conclusion ?? "" }
    }
    return Set(newest.filter { ["failure", "timed_out", "startup_failure"].contains($0.value) }.keys)
  }

  /// Whether `login` may push to the repository (admin, maintain or
  /// write): `user.permissions.push`, the precise field (the coarse
  /// `permission` shows maintain as write and triage as read).
  public func canPush(_ login: String, _ address: PullRequestAddress, in directory: String) async throws -> Bool {
    guard PullRequestAddress.isName(login) || login.hasPrefix("app/") else { return false }
    let json = try await call(
      ["api", "--hostname", address.host, "repos/\(address.slug)/collaborators/\(login)/permission"], in: directory)
    struct Answer: Decodable {
      struct User: Decodable { struct Permissions: Decodable { var push: Bool? }; var permissions: Permissions? }
      var permission: String?
      var user: User?
    }
    let answer = try JSONDecoder().decode(Answer.self, from: Data(json.utf8))
    return answer.user?.permissions?.push ?? ["admin", "write"].contains(answer.permission ?? "")
  }

  /// `gh pr merge --auto --<method>`: GitHub merges once every requirement
  /// is met (or now, when it already may). Success prints nothing when
  /// not on a terminal.
  public func enableAutoMerge(url: String, method: String, in directory: String) async throws {
    _ = try await call(["pr", "merge", url, "--auto", "--\(method)"], in: directory)
  }
}

/// One line of someone else's text, safe to show in a message.
enum InertLine {
  static func of(_ text: String, limit: Int = 300) -> String {
    let line = PromptText.argument(text)
    return line.count > limit ? String(line.prefix(limit)) + "…" : line
  }
}
