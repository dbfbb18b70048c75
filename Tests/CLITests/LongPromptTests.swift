import Foundation
import Testing

extension EndToEnd {
  /// An agent that takes its first prompt on the command line
  /// (`prompt_arg`), given a prompt far over what one tmux command can
  /// carry (16 KiB): it gets the whole prompt exactly once, pasted, and a
  /// second pass sends nothing.
  @Suite struct LongPromptTests {
    @Test func aLongPromptForAnArgumentAgentIsPastedOnce() throws {
      let p = try Playground(agent: "fake")
      var yaml = try String(contentsOfFile: "\(p.dir)/wt.yaml", encoding: .utf8)
      yaml = yaml.replacingOccurrences(of: "    session_id: true\n", with: "    session_id: true\n    prompt_arg: positional\n")
      try yaml.write(toFile: "\(p.dir)/wt.yaml", atomically: true, encoding: .utf8)
      // 64 KiB of distinct lines, the last one marked.
      let body = (0..<1200).map { String(format: "line %04d of the long bead, padded to sixty-four bytes....", $0) }
        .joined(separator: "\n") + "\nTHE END"
      #expect(body.utf8.count > 64 * 1024)
      let bead = try p.bead("Long", descriptionFile: body)

      let apply = try p.wt("apply", "--yes")
      #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
      #expect(try p.wait(seconds: 30) { p.submissions().contains { ($0["prompt"] as? String)?.contains("THE END") == true } })
      let again = try p.wt("apply", "--yes")
      #expect(again.status == 0, "\(again.stdout)\(again.stderr)")

      let got = p.submissions().compactMap { $0["prompt"] as? String }.filter { $0.contains("Work on \(bead)") }
      #expect(got.count == 1, "submitted \(got.count) times")
      #expect(got.first?.contains(body) == true, "the prompt arrived cut: \(got.first?.utf8.count ?? 0) bytes")
      // Not on the command line as well.
      let argv = (try? String(contentsOfFile: "\(p.dir)/agent.argv", encoding: .utf8)) ?? ""
      #expect(!argv.contains("Work on \(bead)"))
    }

    @Test func aShortPromptForAnArgumentAgentGoesOnTheCommandLineOnce() throws {
      let p = try Playground(agent: "fake")
      var yaml = try String(contentsOfFile: "\(p.dir)/wt.yaml", encoding: .utf8)
      yaml = yaml.replacingOccurrences(of: "    session_id: true\n", with: "    session_id: true\n    prompt_arg: positional\n")
      try yaml.write(toFile: "\(p.dir)/wt.yaml", atomically: true, encoding: .utf8)
      let bead = try p.bead("Short", description: "a few words")
      for _ in 0..<2 {
        let apply = try p.wt("apply", "--yes")
        #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
      }
      let argv = ((try? String(contentsOfFile: "\(p.dir)/agent.argv", encoding: .utf8)) ?? "")
        .split(separator: "\n").filter { $0.contains("Work on \(bead)") }
      #expect(argv.count == 1, "\(argv)")
      #expect(!p.submissions().contains { ($0["prompt"] as? String)?.contains("Work on \(bead)") == true })
    }
  }
}
