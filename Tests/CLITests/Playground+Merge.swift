import Foundation
import Testing

/// Helpers for the merge queue tests: workers made by hand (a branch and a
/// worktree, as apply makes them, without an agent), commits, the queue.
extension Playground {
  /// A bead with a worktree on `wt/<bead>` from main, and no agent.
  func handWorker(_ title: String) throws -> String {
    let id = try bead(title)
    _ = try git("worktree", "add", "-q", "-b", "wt/\(id)", worktree(id), "main")
    return id
  }

  /// A hand worker with a commit, and the person in the middle of a merge
  /// in the main checkout with a resolution staged (MERGE_HEAD stands).
  static func workerBesideAPersonsMerge() throws -> (Playground, String) {
    let p = try Playground()
    let id = try p.handWorker("Work")
    try p.commit("work.txt", "work\n", in: p.worktree(id))
    _ = try p.git("switch", "-q", "-c", "side")
    try p.commit("README.md", "side\n", in: p.repo)
    _ = try p.git("switch", "-q", "main")
    try p.commit("README.md", "main\n", in: p.repo)
    #expect(try p.sh(["git", "merge", "side"], check: false).status == 1)
    try "resolved by hand\n".write(toFile: "\(p.repo)/README.md", atomically: true, encoding: .utf8)
    _ = try p.git("add", "README.md")
    return (p, id)
  }

  /// Writes `text` to `file` in `directory` and commits it there.
  func commit(_ file: String, _ text: String, in directory: String, message: String? = nil) throws {
    let path = "\(directory)/\(file)"
    try FileManager.default.createDirectory(
      atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    _ = try git("add", file, in: directory)
    _ = try git("commit", "-qm", message ?? "add \(file)", in: directory)
  }

  /// Prompts the agents took, in order.
  func prompts() -> [String] {
    let text = (try? String(contentsOfFile: "\(dir)/agent.log", encoding: .utf8)) ?? ""
    return text.split(separator: "\n").compactMap {
      (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["prompt"] as? String
    }
  }

  func queue() throws -> [[String: Any]] {
    try rows("queue", "--json")
  }

  /// Rewrites wt.yaml (e.g. to add copy: or disposable:).
  func editManifest(_ change: (String) -> String) throws {
    let file = "\(dir)/wt.yaml"
    try change(try String(contentsOfFile: file, encoding: .utf8)).write(toFile: file, atomically: true, encoding: .utf8)
  }

  func read(_ path: String) -> Data? { FileManager.default.contents(atPath: path) }

  /// `wt ARGS` started now; the closure waits and returns its result.
  func started(_ args: [String]) throws -> @Sendable () -> Result {
    try startedCommand([CLITests.binary] + args)
  }

  /// `argv` (found on PATH) started now in the repository.
  func startedCommand(_ argv: [String]) throws -> @Sendable () -> Result {
    let proc = Process()
    proc.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    proc.arguments = argv
    proc.currentDirectoryURL = URL(fileURLWithPath: repo)
    proc.environment = ProcessInfo.processInfo.environment.merging(env) { _, b in b }.merging(["NO_COLOR": "1"]) { _, b in b }
    let out = Pipe(), err = Pipe()
    proc.standardOutput = out
    proc.standardError = err
    proc.standardInput = FileHandle.nullDevice
    try proc.run()
    let running = Running(proc: proc, out: out, err: err)
    return {
      let (proc, out, err) = (running.proc, running.out, running.err)
      let o = out.fileHandleForReading.readDataToEndOfFile()
      let e = err.fileHandleForReading.readDataToEndOfFile()
      proc.waitUntilExit()
      return Result(status: proc.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }
  }

  /// `wt ARGS`, awaited on a thread of its own: the few threads Swift
  /// concurrency shares with the async tests running beside this one are
  /// never held while a merge waits its turn.
  func awaited(_ args: String...) async throws -> Result {
    await finished(try started(args))
  }

  func finished(_ wait: @escaping @Sendable () -> Result) async -> Result {
    await withCheckedContinuation { c in Thread { c.resume(returning: wait()) }.start() }
  }

  /// Polls like `wait`, sleeping without holding a thread.
  func eventually(seconds: Double = 30, _ condition: () throws -> Bool) async throws -> Bool {
    let end = Date().addingTimeInterval(seconds)
    while Date() < end {
      if try condition() { return true }
      try await Task.sleep(for: .milliseconds(200))
    }
    return try condition()
  }
}

/// A started process and its pipes, handed to the thread that waits.
private struct Running: @unchecked Sendable {
  var proc: Process
  var out: Pipe
  var err: Pipe
}
