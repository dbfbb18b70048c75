import Foundation
import Testing

/// `wt seance BEAD --resume` reopens the newest session with the agent's
/// `resume`, and a refusal changes nothing (issue 13).
extension EndToEnd {
  @Suite struct SeanceResumeTests {
    func argv(_ p: Playground) -> [[String]] {
      let text = (try? String(contentsOfFile: "\(p.dir)/agent.argv", encoding: .utf8)) ?? ""
      return text.split(separator: "\n").compactMap { p.json(String($0)) as? [String] }
    }

    @Test func resumeReopensTheNewestSessionAndARefusalChangesNothing() throws {
      let p = try Playground()
      let agent = "resume: [\(CLITests.root)/Tests/Support/fake-agent]"
      try ConvergenceTests.edit(p, agent, "resume: [\(CLITests.root)/Tests/Support/fake-agent, --resume, \"{{worker.session_id}}\"]")
      let id = try p.bead("Resume me")
      #expect(try p.wt("apply", "--yes").status == 0)
      #expect(try p.wait { p.submissions().count == 1 })
      let first = try #require(argv(p).first)
      let session = try #require(first.firstIndex(of: "--session-id").map { first[$0 + 1] })

      // Refused while the worker runs: the record stays as it was.
      let state = "\(p.dir)/state/state.json"
      let before = try Data(contentsOf: URL(fileURLWithPath: state))
      let refused = try p.wt("seance", id, "--resume")
      #expect(refused.status == 1)
      #expect(refused.stderr.contains("already has a worker"), "\(refused.stderr)")
      #expect(try Data(contentsOf: URL(fileURLWithPath: state)) == before)

      #expect(try p.wt("abandon", id).status == 0)
      let resumed = try p.wt("seance", id, "--resume")
      #expect(resumed.status == 0, "\(resumed.stdout) \(resumed.stderr)")
      #expect(resumed.stdout.contains("resumed session \(session)"), "\(resumed.stdout)")
      #expect(argv(p).last == ["--resume", session])
      // The conversation continues: the prompt is not sent again.
      #expect(p.submissions().count == 1)
      let status = try p.rows("status", "--json")
      #expect(status.map { $0["bead"] as? String } == [id])
    }
  }
}
