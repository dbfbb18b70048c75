import Foundation
import Testing

@testable import Manifest
@testable import Reconciler

/// Issue 21: a start that found its agent gone gave the bead back after a
/// `wt done` had closed it (`bd update --status open` on a closed bead
/// reopens it), and the next pass planned a new agent for merged work.
@Suite struct ReleaseTests {
  @Test func aFailedStartNeverReopensABeadClosedMeanwhile() async throws {
    let w = try await TestWorld()
    let id = try await w.createBead("Finished meanwhile")
    let change = try #require(try await w.plan().changes.first { $0.bead == id })
    let world = try w.world
    let manifest = try w.manifest()
    let project = try #require(manifest.project(named: change.project))
    guard case .claimed = try await world.tracker.claim(id, in: w.repo) else { Issue.record("not claimed"); return }
    try await world.tracker.close(id, reason: "Done: merged by wt", in: w.repo)
    try await Applier(manifest: manifest, world: world).giveBack(change, project: project)
    #expect(try await w.bead(id)?.status == .closed)
    // Nor is it counted as a failed start of a worker that no longer exists.
    #expect(try world.store.load().workers[change.worker] == nil)
  }

  @Test func aFailedStartGivesBackAnOpenBeadAndCountsIt() async throws {
    let w = try await TestWorld()
    let id = try await w.createBead("Failed to start")
    let change = try #require(try await w.plan().changes.first { $0.bead == id })
    let world = try w.world
    let manifest = try w.manifest()
    let project = try #require(manifest.project(named: change.project))
    guard case .claimed = try await world.tracker.claim(id, in: w.repo) else { Issue.record("not claimed"); return }
    try await Applier(manifest: manifest, world: world).giveBack(change, project: project)
    #expect(try await w.bead(id)?.status == .open)
    #expect(try world.store.load().workers[change.worker]?.startFailures == 1)
  }
}
