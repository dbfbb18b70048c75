import Foundation
import Testing
@testable import Reconciler

/// A child that exits without reading its stdin (ssh to a host that
/// refuses the connection) must be an exit status, never a crash: with
/// swift-subprocess writing the input, the race of that exit against the
/// write trapped wt ("FileDescriptor … was not closed",
/// swiftlang/swift-subprocess#367), seen once in `wt status` with a host
/// down.
@Suite(.timeLimit(.minutes(2))) struct ProcessInputTests {
  @Test func aChildThatNeverReadsItsInputIsAnExitStatus() async throws {
    let runner = ProcessRunner()
    let input = String(repeating: "x", count: 8 * 1024)
    for _ in 0..<200 {
      let out = try await runner.output(["/bin/sh", "-c", "exit 3"], input: input)
      #expect(out.status == 3)
    }
  }

  @Test func aChildReadsItsInputWhole() async throws {
    let input = (0..<1000).map { "line \($0)" }.joined(separator: "\n") + "\n"
    #expect(input.utf8.count <= ProcessRunner.prefilledInputLimit)
    let out = try await ProcessRunner().output(["/usr/bin/wc", "-l"], input: input)
    #expect(out.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "1000")
  }
}
