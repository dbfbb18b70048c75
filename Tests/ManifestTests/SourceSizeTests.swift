import Foundation
import Testing
import TestSupport

/// Files under about 300 lines and functions under about 60 (STYLE, issue
/// 22): `scripts/check-sizes` lists what is over without a `// size:`
/// reason. A ratchet: nothing new may join the list below, which holds
/// what was over when the check came and is being split by its owners.
@Suite(.timeLimit(.minutes(1))) struct SourceSizeTests {
  /// `path` or `path: function`, as check-sizes names them.
  static let pending: Set<String> = [
    "Sources/wt/Watch/Watch.swift: run",
    "Sources/Reconciler/Apply/Applier+Start.swift: launch",
  ]

  @Test func noNewFileOrFunctionIsOverItsSizeWithoutAReason() throws {
    let run = try runChild("\(packageRoot)/scripts/check-sizes", [], in: packageRoot)
    let unexplained = run.stdoutText.split(separator: "\n").filter { !$0.contains("; size: ") }.map { line in
      // "path: N lines (file)" or "path:LINE: name N lines"
      let parts = line.split(separator: ":", maxSplits: 2).map { $0.trimmingCharacters(in: .whitespaces) }
      return parts.count == 3 && Int(parts[1]) != nil
        ? "\(parts[0]): \(parts[2].split(separator: " ").first ?? "")" : String(parts[0])
    }
    #expect(!run.stdoutText.isEmpty || run.status == 0, "check-sizes printed nothing: \(run.stderrText)")
    let new = unexplained.filter { !Self.pending.contains($0) }
    #expect(new.isEmpty, "over 300 lines a file or 60 a function, with no `// size:` reason:\n\(run.stdoutText)")
  }
}

/// The binary's end-to-end suites block their thread while wt and its
/// agents run; beside `EndToEnd` (which runs them one at a time) they take
/// the cooperative pool's two threads on a 2-core machine, and the other
/// targets' tests run out of time. Every suite in Tests/CLITests is inside
/// it, but the install test, which runs alone for minutes by design.
@Suite(.timeLimit(.minutes(1))) struct EndToEndSuitesTests {
  static let outside: Set<String> = ["EndToEnd.swift", "InstallTests.swift"]

  @Test func everyEndToEndSuiteRunsInsideEndToEnd() throws {
    let folder = "\(packageRoot)/Tests/CLITests"
    let files = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".swift") }
    let topLevel = try files.filter { name in
      guard !Self.outside.contains(name) else { return false }
      let text = try String(contentsOfFile: "\(folder)/\(name)", encoding: .utf8)
      return text.split(separator: "\n").contains { $0.hasPrefix("@Suite") }
    }
    #expect(topLevel.isEmpty, "a top-level @Suite in \(topLevel.sorted()): put it inside `extension EndToEnd { … }`")
  }
}
