import Foundation
import Testing

/// `on_done: pr` checks origin, gh and gh's login before it pushes
/// anything; `wt validate` warns about the same.
@Suite(.serialized) struct PullRequestPreflightTests {
  func prPlayground(origin: Bool, gh: Bool) throws -> (Playground, String) {
    let p = try Playground(onDone: "pr")
    let remote = "\(p.dir)/remote.git"
    _ = try p.sh(["git", "init", "-q", "--bare", remote])
    if origin { _ = try p.git("remote", "add", "origin", remote) }
    let bin = "\(p.dir)/bin"
    try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
    if gh { try FileManager.default.copyItem(atPath: "\(CLITests.root)/Tests/Support/gh", toPath: "\(bin)/gh") }
    // Only our stand-in gh, whatever this machine has installed.
    let path = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
      .filter { !FileManager.default.isExecutableFile(atPath: "\($0)/gh") }
    p.env["PATH"] = ([bin] + path.map(String.init)).joined(separator: ":")
    p.env["FAKE_GH_LOG"] = "\(p.dir)/gh.log"
    return (p, remote)
  }

  func refusedBeforePushing(_ p: Playground, remote: String, saying text: String) throws {
    let id = try p.handWorker("A PR")
    try p.commit("x.txt", "x\n", in: p.worktree(id))
    let done = try p.wt("done", id)
    #expect(done.status == 1)
    #expect(done.stderr.contains("cannot open a pull request: "))
    #expect(done.stderr.contains(text), "\(done.stderr)")
    #expect(done.stderr.contains("Nothing was pushed or changed."))
    #expect(try p.sh(["git", "-C", remote, "rev-parse", "--verify", "--quiet", "wt/\(id)"], check: false).status != 0)
    #expect(!p.exists("\(p.dir)/gh.log"))
    #expect(try p.show(id)["status"] as? String == "open")
  }

  @Test func ghMissingRefusesAndValidateWarns() throws {
    let (p, remote) = try prPlayground(origin: true, gh: false)
    try refusedBeforePushing(p, remote: remote, saying: "gh is not installed or not on PATH")
    let validate = try p.wt("validate")
    #expect(validate.status == 0)
    #expect(validate.stderr.contains("warning: project 'demo' has on_done: pr, but gh is not installed or not on PATH"))
    let json = p.json(try p.wt("validate", "--json").stdout) as? [String: Any]
    #expect((json?["warnings"] as? [String])?.count == 1)
  }

  @Test func noOriginRefuses() throws {
    let (p, remote) = try prPlayground(origin: false, gh: true)
    try refusedBeforePushing(p, remote: remote, saying: "has no remote 'origin'")
    #expect(try p.wt("validate").stderr.contains("has no remote 'origin'"))
  }

  @Test func ghLoggedOutRefuses() throws {
    let (p, remote) = try prPlayground(origin: true, gh: true)
    p.env["FAKE_GH_AUTH"] = "fail"
    try refusedBeforePushing(p, remote: remote, saying: "gh is not logged in ('gh auth status' failed; run 'gh auth login')")
    p.env["FAKE_GH_AUTH"] = nil
    #expect(try p.wt("validate").stderr.contains("warning") == false)
  }
}
