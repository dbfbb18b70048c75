import Foundation
import Testing
@testable import Manifest
@testable import Reconciler

/// A start on an account, on real tmux: the agent's process gets the
/// account's env, no variable an account reads from (so no other
/// account's key), and the worker's record names the account.
@Suite(.serialized, .timeLimit(.minutes(2))) struct AccountApplyTests {
  static let accounts = """
    accounts:
      a: {agent: fake, env: {ACCOUNT_KEY: "${KEY_A}", ACCOUNT_NAME: first}}
      b: {agent: fake, env: {ACCOUNT_KEY: "${KEY_B}"}}
    defaults:
      accounts: [a, b]
    """

  /// The session's environment as tmux holds it: `NAME=value`, `-NAME`.
  func sessionEnvironment(_ w: TestWorld, _ session: String) async throws -> [String] {
    try await w.tmux("show-environment", "-t", "=\(session)").split(separator: "\n").map(String.init)
  }

  /// The agent process's own environment (Linux's /proc), when readable.
  func processEnvironment(pid: Int32) -> [String]? {
    guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/environ") else { return nil }
    return data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
  }

  @Test func theAgentGetsItsAccountsKeyAndNoOtherAccountsKey() async throws {
    let w = try await TestWorld()
    w.extraEnvironment = ["KEY_A": "sk-test-a", "KEY_B": "sk-test-b"]
    try w.writeManifest(extra: Self.accounts)
    // The person's keys are in the tmux server's environment, which every
    // session starts with, as when wt started the server itself.
    try await w.tmux("new-session", "-d", "-s", "keep")
    try await w.tmux("set-environment", "-g", "KEY_A", "sk-test-a")
    try await w.tmux("set-environment", "-g", "KEY_B", "sk-test-b")
    let bead = try await w.createBead("First")
    let plan = try await w.plan()
    #expect(plan.changes.map(\.account) == ["a"])
    let reports = try await w.apply()
    #expect(allDone(reports), "\(reports)")
    let state = try StateStore(directory: w.stateDir).load()
    #expect(state.workers["demo/\(bead)"]?.account == "a")

    let session = WorkerNaming.session(project: "demo", bead: bead)
    let env = try await sessionEnvironment(w, session)
    #expect(env.contains("ACCOUNT_KEY=sk-test-a"))
    #expect(env.contains("ACCOUNT_NAME=first"))
    #expect(env.contains("-KEY_A") && env.contains("-KEY_B"))
    #expect(!env.contains { $0.contains("sk-test-b") })
    let pane = try #require(try await w.panes().first { $0.session == session })
    if let process = processEnvironment(pid: pane.pid) {
      #expect(process.contains("ACCOUNT_KEY=sk-test-a"))
      #expect(!process.contains { $0.hasPrefix("KEY_A=") || $0.hasPrefix("KEY_B=") })
    }
  }

  /// A failed start names the command for a person to run by hand, never
  /// with an account's key in it.
  @Test func aFailedSessionStartDoesNotShowTheKey() {
    let argv = ["tmux", "-L", "x", "new-session", "-e", "ACCOUNT_KEY=sk-test-a", "-e", "WT_WORKER=demo/x", "--", "claude"]
    let hidden = Tmux.hidingValues(argv)
    #expect(hidden == ["tmux", "-L", "x", "new-session", "-e", "ACCOUNT_KEY=…", "-e", "WT_WORKER=…", "--", "claude"])
    #expect(!CommandError(argv: hidden, reason: .exited(1), stderr: "").description.contains("sk-test"))
  }
}
