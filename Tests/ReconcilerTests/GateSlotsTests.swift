import Foundation
import Manifest
import Testing
@testable import Reconciler

/// The merge queue's gates running at once, each in its own worktree slot
/// of one repository, on real git (issue 25).
@Suite(.timeLimit(.minutes(3))) struct GateSlotsTests {
  /// Two gates at once, forty times: every one passes. git adds and
  /// removes worktrees unsafely in parallel ("failed to read
  /// .git/worktrees/…/commondir" under the 30-worker benchmark), so the
  /// slots take turns at it; without that this failed within a few rounds.
  @Test func gatesAtOnceNeverTripOverEachOthersWorktrees() async throws {
    let t = try await TestWorld()
    try t.writeManifest(extra: "    gate: [[\"true\"]]\n")
    let world = try t.world
    let project = try #require(try t.manifest().project(named: "demo"))
    let head = try await t.git("rev-parse", "HEAD").trimmingCharacters(in: .whitespacesAndNewlines)
    for round in 1...40 {
      let gates = (0..<3).map { slot in
        Gate(world: world, project: project, directory: "\(t.stateDir)/gates/demo-slot\(slot)")
      }
      let results = try await withThrowingTaskGroup(of: Gate.Result.self) { group in
        for gate in gates { group.addTask { try await gate.run(on: head) } }
        var out: [Gate.Result] = []
        for try await result in group { out.append(result) }
        return out
      }
      #expect(results == Array(repeating: .passed(["true"]), count: 3), "round \(round)")
    }
    let worktrees = try await t.git("worktree", "list", "--porcelain")
    #expect(!worktrees.contains("/gates/"), "\(worktrees)")
  }
}
