import Foundation
import Testing
@testable import Reconciler

/// `GitHub` against the gh double, which keeps gh's contract (stdout is
/// the URL; a second create for the same head fails naming the first).
@Suite struct GitHubTests {
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
