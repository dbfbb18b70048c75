import Foundation
import Manifest

/// Runs a project's `gate` on a merge result, in a temporary detached
/// worktree of wt's own: the person's checkout and the worker's worktree
/// are never where a merge is tried.
struct Gate: Sendable {
  var world: World
  var project: Project
  /// Where the temporary worktree goes; one per worker, so a crashed run
  /// is cleaned up by the next.
  var directory: String

  enum Result: Equatable, Sendable {
    case passed([String])
    case failed(command: [String], status: Int32, excerpt: String)
  }

  func run(on commit: String) async throws -> Result {
    guard !project.gate.isEmpty else { return .passed([]) }
    try await discard()
    try FileManager.default.createDirectory(
      atPath: (directory as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    try await world.git.addDetachedWorktree(repo: project.path, path: directory, commit: commit)
    do {
      let result = try await check()
      try await discard()
      return result
    } catch {
      try? await discard()
      throw error
    }
  }

  /// Setup, then every gate command, in the temporary worktree; stops at
  /// the first failure.
  private func check() async throws -> Result {
    // The gate sees what a new worktree sees: copied files and setup.
    _ = try CopiedFiles.copy(project.copy, from: project.path, into: directory)
    // The person's environment, whoever runs `wt done` (GateEnvironment).
    let environment = GateEnvironment.current(store: world.store, project: project.name, fallback: world.environment)
    var passed: [String] = []
    for (command, limit) in project.setup.map({ ($0, 900) }) + project.gate.map({ ($0, 1800) }) {
      let out = try await world.runner.output(
        command, in: directory, environment: environment, timeout: .seconds(limit), inherit: false)
      if !out.succeeded {
        return .failed(command: command, status: out.status, excerpt: Self.firstFailure(out.stdout + out.stderr))
      }
      passed.append(command.joined(separator: " "))
    }
    return .passed(passed)
  }

  /// Removes the temporary worktree (ours alone, so `--force` loses
  /// nothing of anyone's).
  func discard() async throws {
    let registered = try await world.git.worktrees(of: project.path).contains { $0.path == directory }
    if registered {
      try await world.git.forceRemoveWorktree(repo: project.path, path: directory)
    }
    if FileManager.default.fileExists(atPath: directory) { try FileManager.default.removeItem(atPath: directory) }
    try await world.git.pruneWorktrees(repo: project.path)
  }
}
