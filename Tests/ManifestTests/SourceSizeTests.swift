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
    "Sources/wt/Commands/Diff.swift: run",
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
