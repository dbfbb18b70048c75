import Foundation
import Testing

@testable import Manifest
@testable import Reconciler

/// A worker's session starts with its tmux server's environment, which is
/// that of whichever wt started the server: what says which manifest and
/// which view of it the worker's wt reads must be set for every worker.
@Suite(.timeLimit(.minutes(2))) struct WorkerEnvironmentTests {
  /// On a machine that is both a host and the person's own, a local
  /// worker on a server that a driven wt started (with WT_HOST) must not
  /// read its manifest as that host's share.
  @Test func aLocalWorkerSetsNoHostAndNoRepositoryOrigin() {
    let manifest = PlanTests.manifest([PlanTests.project()])
    let env = World(manifest: manifest, environment: ["WT_HOST": "box1", "WT_CONFIG_ORIGIN": "repository"]).workerEnvironment
    #expect(env["WT_HOST"] == "")
    #expect(env["WT_CONFIG_ORIGIN"] == "")
  }

  @Test func aHostsWorkerSetsItsHost() {
    var manifest = PlanTests.manifest([PlanTests.project()])
    manifest.perspective = "box1"
    #expect(World(manifest: manifest, environment: [:]).workerEnvironment["WT_HOST"] == "box1")
  }
}
