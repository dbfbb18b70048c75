import Foundation
import Testing
@testable import Reconciler

/// A bead missing from a `bd list` is not thereby closed. `wt watch` (the
/// hub) reuses its list for a minute; a bead made and started inside that
/// minute was recorded `done — bead … is closed` one second after its
/// worker was created, while bd had it in_progress.
@Suite(.timeLimit(.minutes(2))) struct MissingBeadTests {
  @Test func aBeadNewerThanTheListIsNotClosed() async throws {
    let w = try await TestWorld()
    let manifest = try w.manifest()
    let world = try w.world
    // What the hub's watch cached: a list taken before the bead existed.
    let cached = try await world.observe(manifest).projects
    #expect(cached["demo"]?.unclosed.isEmpty == true)
    let id = try await w.createBead("Made after the list")
    try await w.apply()
    #expect(try await w.bead(id)?.status == .inProgress)

    let observed = try await world.observeRecordingTransitions(manifest, reusing: cached)
    #expect(observed.projects["demo"]?.unclosed.map(\.id) == [id])
    let record = try #require(try world.store.load().workers["demo/\(id)"])
    #expect(record.status != .done, "\(String(describing: record.condition))")
    let rows = try await world.status(manifest, observed: observed)
    #expect(rows.map(\.status) != [.done])
    #expect(rows.first?.title == "Made after the list")
    // The plan from that look keeps the worker.
    #expect(!world.plan(manifest, observed).changes.contains { $0.bead == id && $0.action == .delete })

    // Closed for real: bd show says so, through the same stale list.
    try await w.bd("close", "--reason=by hand", "--", id)
    _ = try await world.observeRecordingTransitions(manifest, reusing: cached)
    let closed = try #require(try world.store.load().workers["demo/\(id)"])
    #expect(closed.condition == WorkerCondition(.done, "bead \(id) is closed"))
  }

  /// A bd that cannot answer (a locked database) says nothing about the
  /// bead: the look leaves the project alone, nothing is recorded done,
  /// and no plan tears the live worker down.
  @Test func aBdThatCannotAnswerClosesNothing() async throws {
    let w = try await TestWorld()
    let manifest = try w.manifest()
    let cached = try await w.world.observe(manifest).projects
    let id = try await w.createBead("Made after the list")
    try await w.apply()
    // bd show fails as a locked database makes it fail.
    let failing = "\(w.root)/bd-locked"
    try "#!/bin/sh\nif [ \"$1\" = show ]; then echo 'Error: database is locked' >&2; exit 1; fi\nexec '\(bdDouble)' \"$@\"\n"
      .write(toFile: failing, atomically: true, encoding: .utf8)
    chmod(failing, 0o755)
    var environment = w.environment
    environment["WT_BD"] = failing
    let world = World(manifest: manifest, environment: environment, runner: w.runner)
    await #expect(throws: TrackerError.self) { try await world.tracker.show(id, in: w.repo) }
    #expect(try await w.world.tracker.show("demo-nope", in: w.repo) == nil)
    let observed = try await world.observeRecordingTransitions(manifest, reusing: cached)
    #expect(try world.store.load().workers["demo/\(id)"]?.status != .done)
    #expect(!world.plan(manifest, observed).changes.contains { $0.bead == id && $0.action == .delete })
  }
}
