import Foundation
import Testing

/// Helpers for the batching merge queue's tests: a gate that logs every
/// commit it checks (gates are counted, never timed), the merge lock held
/// by the test while entries line up, `wt done`s started in a known order.
extension Playground {
  /// Commits `gate.sh` to main: it logs HEAD to `gates.log` and fails while
  /// any `bad-*.txt` is in the tree. `extra` runs first (sh).
  func commitCountingGate(extra: String = "") throws {
    try commit(
      "gate.sh",
      """
      git rev-parse HEAD >> '\(dir)/gates.log'
      \(extra)
      for f in bad-*.txt; do test -e "$f" && { echo "error: $f breaks the build"; exit 1; }; done
      exit 0

      """, in: repo)
    try editManifest { $0.replacingOccurrences(of: "gate: []", with: "gate: [[sh, gate.sh]]") }
  }

  /// Commits the gate ran on, in order.
  func gated() -> [String] {
    ((try? String(contentsOfFile: "\(dir)/gates.log", encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
  }

  /// `merge:` under settings.
  func setMerge(_ policy: String) throws {
    try editManifest { $0.replacingOccurrences(of: "settings:\n", with: "settings:\n  merge: \(policy)\n") }
  }

  /// Holds the repository's merge lock (flock, as wt takes it) until the
  /// returned closure is called; the test lines entries up meanwhile.
  func holdMergeLock() async throws -> @Sendable () async -> Void {
    let marker = "\(dir)/lock-\(UUID().uuidString.prefix(6))"
    let script = """
      import fcntl, os, sys, time
      f = open(sys.argv[1], 'a'); fcntl.flock(f, fcntl.LOCK_EX)
      open(sys.argv[2] + '.held', 'w').close()
      while not os.path.exists(sys.argv[2] + '.release'): time.sleep(0.05)
      """
    let holder = try startedCommand(["python3", "-c", script, "\(repo)/.git/wt-merge.lock", marker])
    #expect(try await eventually { exists("\(marker).held") }, "the test could not take the merge lock")
    return {
      FileManager.default.createFile(atPath: "\(marker).release", contents: nil)
      _ = await self.finished(holder)
    }
  }

  /// `wt done` for each bead, started one after another, each once its
  /// entry is in the queue: their tickets are in this order.
  func doneInOrder(_ beads: [String]) async throws -> [@Sendable () -> Result] {
    var started: [@Sendable () -> Result] = []
    for (n, bead) in beads.enumerated() {
      started.append(try self.started(["done", bead]))
      #expect(try await eventually { try queue().filter { $0["phase"] as? String == "waiting" }.count == n + 1 })
    }
    return started
  }

  /// Entries of main's reflog (each move of base) since `since` moves.
  func movesOfMain() throws -> [String] {
    try git("reflog", "show", "--format=%H", "main").split(separator: "\n").map(String.init)
  }

  /// Whether `pid` runs: a zombie (killed, not yet reaped by whoever
  /// inherited it) does not.
  func isRunning(_ pid: Int32) throws -> Bool {
    let state = try sh(["ps", "-o", "stat=", "-p", "\(pid)"], check: false).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    return !state.isEmpty && !state.hasPrefix("Z")
  }

  /// How many times each commit is in main's history.
  func timesInMain(_ commit: String) throws -> Int {
    try git("rev-list", "main").split(separator: "\n").filter { $0 == commit }.count
  }
}
