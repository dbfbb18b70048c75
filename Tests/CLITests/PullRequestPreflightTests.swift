import Foundation
import Testing

extension EndToEnd {
  /// `on_done: pr` checks origin, gh and gh's login before it pushes
  /// anything; `wt validate` warns about the same.
  @Suite(.timeLimit(.minutes(5))) struct PullRequestPreflightTests {
    func prPlayground(origin: Bool, gh: Bool, gate: String = "[]") throws -> (Playground, String) {
      let p = try Playground(onDone: "pr", gate: gate)
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

    let preflight = "cannot open a pull request: "
    let nothing = "Nothing was pushed or changed."

    /// `wt done` fails, saying each of `texts`, and nothing is pushed,
    /// opened or closed.
    func refusedBeforePushing(_ p: Playground, remote: String, saying texts: [String]) async throws {
      let id = try p.handWorker("A PR")
      try p.commit("x.txt", "x\n", in: p.worktree(id))
      let done = try await p.awaited("done", id)
      #expect(done.status == 1)
      for text in texts { #expect(done.stderr.contains(text), "\(done.stderr)") }
      #expect(try p.sh(["git", "-C", remote, "rev-parse", "--verify", "--quiet", "wt/\(id)"], check: false).status != 0)
      #expect(!p.exists("\(p.dir)/gh.log"))
      #expect(try p.show(id)["status"] as? String == "open")
    }

    @Test func ghMissingRefusesAndValidateWarns() async throws {
      let (p, remote) = try prPlayground(origin: true, gh: false)
      try await refusedBeforePushing(p, remote: remote, saying: [preflight, "gh is not installed or not on PATH", nothing])
      let validate = try await p.awaited("validate")
      #expect(validate.status == 0)
      #expect(validate.stderr.contains("warning: project 'demo' has on_done: pr, but gh is not installed or not on PATH"))
      let json = p.json(try await p.awaited("validate", "--json").stdout) as? [String: Any]
      #expect((json?["warnings"] as? [String])?.count == 1)
    }

    @Test func noOriginRefuses() async throws {
      let (p, remote) = try prPlayground(origin: false, gh: true)
      try await refusedBeforePushing(p, remote: remote, saying: [preflight, "has no remote 'origin'", nothing])
      #expect(try await p.awaited("validate").stderr.contains("has no remote 'origin'"))
    }

    @Test func ghLoggedOutRefuses() async throws {
      let (p, remote) = try prPlayground(origin: true, gh: true)
      p.env["FAKE_GH_AUTH"] = "fail"
      try await refusedBeforePushing(p, remote: remote, saying: [preflight, "gh is not logged in ('gh auth status' failed; run 'gh auth login')", nothing])
      p.env["FAKE_GH_AUTH"] = nil
      #expect(try await p.awaited("validate").stderr.contains("warning") == false)
    }

    /// The gate still runs before a pull request: on the branch as it is.
    @Test func aFailingGateOpensNoPullRequest() async throws {
      let (p, remote) = try prPlayground(origin: true, gh: true, gate: "[[git, rev-parse, --verify, no-such-ref]]")
      try await refusedBeforePushing(p, remote: remote, saying: ["gate `git rev-parse --verify no-such-ref` failed (exit 128) on wt/"])
    }
  }
}
