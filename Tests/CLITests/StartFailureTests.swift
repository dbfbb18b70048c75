import Foundation
import Testing

extension EndToEnd {
  /// A start that fails after the claim: the bead goes back every time,
  /// and after three failures it waits for the person.
  @Suite struct StartFailureTests {
    /// The fake agent with Gemini CLI's trust seed and no HOME of its own.
    static func seeded() throws -> Playground {
      let agents = """
          seeded:
            command: [\(Playground.root)/Tests/Support/fake-agent]
            ready: '^❯\\u00A0'
            busy: 'esc to interrupt'
            trust_seed: gemini
            env: {FAKE_AGENT_DELAY: "0.2"}
        """
      return try Playground(agents: agents, agent: "seeded")
    }

    /// Issue 21: a malformed `~/.gemini/trustedFolders.json` left the bead
    /// claimed with no worker, retried every pass with no cap.
    @Test func aTrustFileThatCannotBeWrittenReleasesTheBeadAndIsCapped() throws {
      let p = try Self.seeded()
      try FileManager.default.createDirectory(atPath: "\(p.dir)/.gemini", withIntermediateDirectories: true)
      try "{not json".write(toFile: "\(p.dir)/.gemini/trustedFolders.json", atomically: true, encoding: .utf8)
      let id = try p.bead("Seeded")
      for attempt in 1...3 {
        let apply = try p.wt("apply", "--yes")
        #expect(apply.status != 0, "attempt \(attempt): \(apply.stdout)")
        let said = apply.stdout + apply.stderr
        #expect(said.contains("trust file:") && said.contains("released \(id)"), "attempt \(attempt): \(said)")
        #expect(try p.show(id)["status"] as? String == "open", "attempt \(attempt)")
        #expect(try p.claimedWithoutWorker().isEmpty, "attempt \(attempt)")
      }
      let capped = try p.wt("apply", "--yes")
      #expect(capped.status == 0, "\(capped.stdout)\(capped.stderr)")
      #expect(try p.show(id)["status"] as? String == "open")
      #expect(try p.wt("diff").stdout.contains("failed to start 3 times"))
      // The person's file is left as it was.
      #expect(try String(contentsOfFile: "\(p.dir)/.gemini/trustedFolders.json", encoding: .utf8) == "{not json")
    }

    /// docs/agents.md: the trust file goes under the profile's HOME, else the
    /// person's own home.
    @Test func withoutAHomeInItsProfileTheAgentsTrustGoesInThePersonsHome() throws {
      let p = try Self.seeded()
      let id = try p.bead("Seeded")
      let apply = try p.wt("apply", "--yes")
      #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
      let folders = try String(contentsOfFile: "\(p.dir)/.gemini/trustedFolders.json", encoding: .utf8)
      let trusted = try JSONSerialization.jsonObject(with: Data(folders.utf8)) as? [String: String]
      #expect(trusted?[p.worktree(id)] == "TRUST_FOLDER", "\(folders)")
    }
  }
}
