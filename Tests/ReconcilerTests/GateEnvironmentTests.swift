import Foundation
import Testing
@testable import Reconciler

/// Each project's gate runs in the environment the person last used for
/// it: `wt apply --project other` from other's shell does not change what
/// demo's gate sees.
@Suite(.timeLimit(.minutes(1))) struct GateEnvironmentTests {
  @Test func aProjectsOwnRecordWinsAndEveryProjectsRecordStartsOver() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wt-gate-env-\(UUID().uuidString.prefix(8))").path
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let store = StateStore(directory: dir)
    GateEnvironment.record(["PROJ": "demo", "WT_STATE_DIR": dir], in: store)
    GateEnvironment.record(["PROJ": "other"], in: store, projects: ["other"])
    #expect(GateEnvironment.current(store: store, project: "demo", fallback: [:]) == ["PROJ": "demo"])
    #expect(GateEnvironment.current(store: store, project: "other", fallback: [:]) == ["PROJ": "other"])
    // A worker's own session records nothing.
    GateEnvironment.record(["PROJ": "agent", "WT_WORKER": "demo/demo-1"], in: store)
    #expect(GateEnvironment.current(store: store, project: "demo", fallback: [:]) == ["PROJ": "demo"])
    GateEnvironment.record(["PROJ": "all"], in: store)
    #expect(GateEnvironment.current(store: store, project: "other", fallback: [:]) == ["PROJ": "all"])
    let mode = try FileManager.default.attributesOfItem(atPath: "\(dir)/gate-environment.json")[.posixPermissions] as? Int
    #expect(mode == 0o600)
  }

  @Test func theFirstFormOfTheFileIsRead() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wt-gate-env-\(UUID().uuidString.prefix(8))").path
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    try #"{"PATH": "/venv/bin"}"#.write(toFile: "\(dir)/gate-environment.json", atomically: true, encoding: .utf8)
    #expect(GateEnvironment.current(store: StateStore(directory: dir), project: "demo", fallback: [:]) == ["PATH": "/venv/bin"])
  }
}
