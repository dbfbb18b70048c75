import Foundation

/// Helpers for the merge queue tests: workers made by hand (a branch and a
/// worktree, as apply makes them, without an agent), commits, the queue.
extension Playground {
  /// A bead with a worktree on `wt/<bead>` from main, and no agent.
  func handWorker(_ title: String) throws -> String {
    let id = try bead(title)
    _ = try git("worktree", "add", "-q", "-b", "wt/\(id)", worktree(id), "main")
    return id
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
    json(try wt("queue", "--json").stdout) as? [[String: Any]] ?? []
  }

  /// Rewrites wt.yaml (e.g. to add copy: or disposable:).
  func editManifest(_ change: (String) -> String) throws {
    let file = "\(dir)/wt.yaml"
    try change(try String(contentsOfFile: file, encoding: .utf8)).write(toFile: file, atomically: true, encoding: .utf8)
  }

  func read(_ path: String) -> Data? { FileManager.default.contents(atPath: path) }

  /// `wt ARGS` started now; `finish` waits and returns its result.
  func started(_ args: [String]) throws -> () -> Result {
    let proc = Process()
    proc.executableURL = URL(fileURLWithPath: CLITests.binary)
    proc.arguments = args
    proc.currentDirectoryURL = URL(fileURLWithPath: repo)
    proc.environment = ProcessInfo.processInfo.environment.merging(env) { _, b in b }.merging(["NO_COLOR": "1"]) { _, b in b }
    let out = Pipe(), err = Pipe()
    proc.standardOutput = out
    proc.standardError = err
    proc.standardInput = FileHandle.nullDevice
    try proc.run()
    return {
      let o = out.fileHandleForReading.readDataToEndOfFile()
      let e = err.fileHandleForReading.readDataToEndOfFile()
      proc.waitUntilExit()
      return Result(status: proc.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }
  }
}
