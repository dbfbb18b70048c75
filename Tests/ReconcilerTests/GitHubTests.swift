import Foundation
import Testing
@testable import Reconciler

/// `GitHub` against the gh double, which keeps gh's contract (stdout is
/// the URL; a second create for the same head fails naming the first).
@Suite(.timeLimit(.minutes(2))) struct GitHubTests {
  func gh() throws -> (GitHub, String) {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wt-gh-\(UUID().uuidString.prefix(8))").path
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    var github = GitHub(runner: ProcessRunner(), executable: "\(packageRoot)/Tests/Support/gh")
    github.environment["FAKE_GH_LOG"] = "\(dir)/gh.log"
    return (github, dir)
  }

  @Test func aTitleThatLooksLikeAnOptionIsATitleAndASecondCreateIsTheFirstPullRequest() async throws {
    let (github, dir) = try gh()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let url = try await github.createPullRequest(title: "--web", body: "-b x", base: "main", head: "wt/demo-1", in: dir)
    #expect(url == "https://github.invalid/demo/repo/pull/7")
    let logged = try String(contentsOfFile: "\(dir)/gh.log", encoding: .utf8)
    #expect(logged.contains(#""--title=--web""#) && logged.contains(#""--body=-b x""#))
    let again = try await github.createPullRequest(title: "t", body: "b", base: "main", head: "wt/demo-1", in: dir)
    #expect(again == url)
    let other = try await github.createPullRequest(title: "t", body: "b", base: "main", head: "wt/demo-2", in: dir)
    #expect(other == "https://github.invalid/demo/repo/pull/8")
  }

  /// The loop's calls against the double: a view, line comments, a failed
  /// log without gh's job and step columns or Actions' timestamp, a
  /// login's push access; and gh that cannot answer says why.
  @Test func theLoopsCallsReadGhsAnswers() async throws {
    var (github, dir) = try gh()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let url = try await github.createPullRequest(title: "t", body: "b", base: "main", head: "wt/demo-1", in: dir)
    let address = try #require(GitHub.PullRequestAddress(url: url))
    let view = try await github.pullRequest(address, url: url, in: dir)
    #expect(view.number == 7 && view.state == .open && view.checks.isEmpty)
    try FileManager.default.createDirectory(atPath: "\(dir)/line-comments", withIntermediateDirectories: true)
    try #"[{"id":5,"user":{"login":"al"},"path":"a.c","line":null,"body":"old"}]"#.write(toFile: "\(dir)/line-comments/7.json", atomically: true, encoding: .utf8)
    let comments = try await github.lineComments(address, in: dir)
    #expect(comments == [.init(id: 5, author: "al", path: "a.c", line: nil, body: "old")])
    try FileManager.default.createDirectory(atPath: "\(dir)/runs", withIntermediateDirectories: true)
    try #"{"status":"completed","conclusion":"failure"}"#.write(toFile: "\(dir)/runs/3.json", atomically: true, encoding: .utf8)
    try "FAIL: x\tgot\n".write(toFile: "\(dir)/runs/3.log", atomically: true, encoding: .utf8)
    let log = try await github.failedLog(run: "3", address, in: dir)
    #expect(log == ["FAIL: x\tgot"])
    try #"{"al":"write","bo":"read"}"#.write(toFile: "\(dir)/permissions.json", atomically: true, encoding: .utf8)
    let (al, bo) = (try await github.canPush("al", address, in: dir), try await github.canPush("bo", address, in: dir))
    #expect(al && !bo)
    FileManager.default.createFile(atPath: "\(dir)/rate-limited", contents: nil)
    await #expect(throws: GitHub.Failure(reason: "gh pr view failed: GraphQL: API rate limit exceeded for user ID 1.")) {
      try await github.pullRequest(address, url: url, in: dir)
    }
    github.environment["FAKE_GH_AUTH"] = "fail"
    await #expect(throws: GitHub.Failure(reason: "gh is not logged in (run 'gh auth login')", unauthenticated: true)) {
      try await github.pullRequest(address, url: url, in: dir)
    }
    github.executable = "\(dir)/no-such-gh"
    await #expect(throws: GitHub.Failure(reason: "gh is not installed or not on PATH (https://cli.github.com)")) {
      try await github.pullRequest(address, url: url, in: dir)
    }
  }

  @Test func aLoggedOutOrMissingGhIsSaidWithWhatToDo() async throws {
    var (github, dir) = try gh()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    #expect(await github.authProblem(in: dir) == nil)
    github.environment["FAKE_GH_AUTH"] = "fail"
    #expect(await github.authProblem(in: dir)?.contains("gh auth login") == true)
    github.executable = "\(dir)/no-such-gh"
    #expect(await github.authProblem(in: dir)?.contains("not installed") == true)
  }
}
