import Foundation
import Testing
import TestSupport

/// What README and docs/ quote of wt's output is what wt prints: the
/// validate example run for real, the plan compared with the golden plan
/// the plan tests pin, the merge queue's failed row made by a real failed
/// gate. Links are DocumentationLinkTests' (ManifestTests).
extension EndToEnd {
  @Suite(.timeLimit(.minutes(3))) struct DocumentationTests {
    /// The fenced blocks of a page, each with the line before its fence.
    static func blocks(_ page: String) throws -> [[String]] {
      let text = try String(contentsOfFile: "\(CLITests.root)/\(page)", encoding: .utf8)
      var out: [[String]] = []
      var current: [String]?
      for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
        if line.hasPrefix("```") {
          if let block = current { out.append(block); current = nil } else { current = [line] }
        } else {
          current?.append(line)
        }
      }
      return out
    }

    /// The block whose first line is `command`, without that line.
    static func quoted(_ page: String, _ command: String) throws -> (output: [String], before: [String]?) {
      let all = try blocks(page)
      let index = try #require(all.firstIndex { $0.count > 1 && $0[1] == command }, "\(page) quotes no `\(command)`")
      return (Array(all[index].dropFirst(2)), index > 0 ? Array(all[index - 1].dropFirst()) : nil)
    }

    @Test func theValidateExampleIsWhatWtPrints() throws {
      let (output, file) = try Self.quoted("README.md", "$ wt validate -f wt.yaml")
      let manifest = try #require(file, "the example's wt.yaml comes right before its output")
      let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wt-docs-\(UUID().uuidString.prefix(8))").path
      defer { try? FileManager.default.removeItem(atPath: dir) }
      try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
      _ = try runChild("/usr/bin/env", ["git", "init", "-q", "-b", "main"], in: dir)
      try (manifest.joined(separator: "\n") + "\n").write(toFile: "\(dir)/wt.yaml", atomically: true, encoding: .utf8)
      let run = try runChild(
        CLITests.binary, ["validate", "-f", "wt.yaml"], in: dir,
        environment: ["HOME": dir, "PATH": "/usr/bin:/bin", "NO_COLOR": "1"])
      #expect(run.status == 1)
      var printed = run.stdoutText + run.stderrText
      for folder in [CanonicalDir.of(dir), dir] { printed = printed.replacingOccurrences(of: folder, with: "/home/me/api") }
      #expect(printed == output.joined(separator: "\n") + "\n")
    }

    /// README abridges the plan (`...` stands for lines left out); every
    /// line it shows is in the golden plan, in order.
    @Test func thePlanREADMEShowsIsTheGoldenPlan() throws {
      let (output, _) = try Self.quoted("README.md", "$ wt diff")
      let golden = try String(
        contentsOfFile: "\(CLITests.root)/Tests/ReconcilerTests/Fixtures/golden/plan.txt", encoding: .utf8
      ).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
      var at = golden.startIndex
      for line in output where line.trimmingCharacters(in: .whitespaces) != "..." {
        let found = golden[at...].firstIndex(of: line)
        #expect(found != nil, "README's plan shows a line the golden plan lacks: \(line)")
        at = (found ?? at) + 1
      }
    }

    /// The queue's failed row, made by a gate that fails as the page's
    /// does; the gate's command, ids and times are the run's own.
    @Test func theMergeQueuesFailedRowIsWhatWtQueuePrints() async throws {
      let (output, _) = try Self.quoted("docs/merge-queue.md", "$ wt queue")
      let failed = try #require(output.firstIndex { $0.contains("  failed  ") }, "docs/merge-queue.md shows no failed row")
      let documented = output[failed...].prefix(2).joined(separator: "\n")
      let p = try Playground(gate: "[[sh, -c, 'echo FAIL src/merge.test.ts; exit 1']]")
      let id = try p.bead("Merge it")
      #expect(try await p.awaited("apply", "--yes").status == 0)
      try p.commit("x.txt", "x\n", in: p.worktree(id))
      #expect(try await p.awaited("done", id).status == 1)
      let text = try await p.awaited("queue").stdout
      let row = try #require(
        text.split(separator: "\n").firstIndex { $0.contains("  failed  ") }.map {
          text.split(separator: "\n")[$0...].prefix(2).joined(separator: "\n")
        }, "\(text)")
      func shape(_ s: String) -> String {
        var s = s.replacingOccurrences(of: #"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]+Z"#, with: "TIME", options: .regularExpression)
        s = s.replacingOccurrences(of: #"gate `[^`]*`"#, with: "gate GATE", options: .regularExpression)
        s = s.replacingOccurrences(of: #"waited [0-9]+ s, batch [0-9a-f]{8}"#, with: "WAITED", options: .regularExpression)
        return s.replacingOccurrences(of: #"[a-z]+-[0-9a-z]+"#, with: "BEAD", options: .regularExpression)
      }
      #expect(shape(row) == shape(documented), "wt queue printed:\n\(text)")
    }
  }
}
