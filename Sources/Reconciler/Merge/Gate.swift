import Foundation
import Manifest

/// Runs a project's `gate` on a merge result, in a detached worktree of
/// wt's own: the person's checkout and the worker's worktree are never
/// where a merge is tried. Without `gate_cache:` the worktree is made for
/// each gate and removed after it; with it, the worktree is kept, reset to
/// the next commit and cleaned of all but `keep`, and `setup` runs again
/// only when a `key` file changed. A gate that is cancelled (its premise
/// failed), times out or throws ends its process group (ProcessRunner's
/// `ownGroup`) and leaves no worktree behind.
struct Gate: Sendable {
  var world: World
  var project: Project
  /// Where the worktree goes: a slot of the merge queue, or one per worker
  /// for `pr`/`keep`.
  var directory: String
  /// Keep and reuse the worktree (`gate_cache:`); nil removes it after
  /// each gate.
  var cache: GateCache?
  /// The project's sandbox (`Manifest.commandSandbox`): a sandboxed
  /// project's setup and gate run the workers' code confined, as its
  /// agents are.
  var sandbox: Sandbox = .off

  enum Result: Equatable, Sendable {
    case passed([String])
    case failed(command: [String], status: Int32, excerpt: String)
  }

  /// Where the key of the last `setup` that passed in a kept worktree is
  /// written: beside it, so that cleaning the worktree keeps it.
  var setupKeyFile: String { "\(directory).setup-key" }

  func run(on commit: String) async throws -> Result {
    guard !project.gate.isEmpty else { return .passed([]) }
    let reused = try await prepare(commit)
    do {
      let key = try await setupKey(commit)
      let stored = try? String(contentsOfFile: setupKeyFile, encoding: .utf8)
      let result = try await check(setup: !(reused && key != nil && stored == key))
      if cache == nil {
        try await discard()
      } else if case .passed = result, let key {
        try key.write(toFile: setupKeyFile, atomically: true, encoding: .utf8)
      } else {
        // A failed setup or gate leaves the worktree in a state no key
        // describes: the next gate sets it up again.
        try? FileManager.default.removeItem(atPath: setupKeyFile)
      }
      return result
    } catch {
      // Cancelled (its premise failed), timed out, or worse: nothing of it
      // stays, so the next gate starts from a clean worktree. Removed in a
      // task of its own, which a cancelled gate's cancellation does not
      // reach (git would not even start).
      let gate = self
      await Task.detached { try? await gate.discard() }.value
      throw error
    }
  }

  /// Where the process group of the command running in it is written,
  /// so that the next gate there ends what a killed wt left running.
  var groupFile: String { "\(directory).pgid" }

  /// A worktree at `commit`: the kept one reset and cleaned (true), or a
  /// new one, holding the repository's turn at worktree administration
  /// from the listing to the add (`WorktreeAdministration`).
  private func prepare(_ commit: String) async throws -> Bool {
    ProcessGroups.endLeftover(groupFile)
    return try await world.git.administeringWorktrees(of: project.path) { try await makeOrReset(commit) }
  }

  private func makeOrReset(_ commit: String) async throws -> Bool {
    let registered = try await world.git.worktrees(of: project.path).contains { $0.path == directory }
    if let cache, registered, FileManager.default.fileExists(atPath: directory) {
      do {
        // A sandboxed gate's code could write the worktree's git folder.
        let common = sandbox.isOn ? try await world.git.commonDirectory(project.path) : nil
        let gitDirectory = common.flatMap { world.git.worktreeGitDirectory(of: directory, common: $0) }
        try await world.git.resetGateWorktree(directory, to: commit, keep: cache.keep, gitDirectory: gitDirectory)
        return true
      } catch {
        // A kept worktree git cannot reset is made again.
      }
    }
    try await remove()
    try FileManager.default.createDirectory(
      atPath: (directory as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    try await world.git.addDetachedWorktree(repo: project.path, path: directory, commit: commit)
    return false
  }

  /// What decides whether `setup` must run again: the `key` files' blob
  /// ids at `commit`; nil without `gate_cache` or without `key` files.
  private func setupKey(_ commit: String) async throws -> String? {
    guard let cache, !cache.key.isEmpty else { return nil }
    let ids = try await world.git.blobIDs(cache.key, at: commit, repo: project.path)
    return zip(cache.key, ids).map { "\($1) \($0)" }.joined(separator: "\n") + "\n"
  }

  /// Setup (unless the kept worktree's is still good), then every gate
  /// command, in the worktree; stops at the first failure.
  private func check(setup: Bool) async throws -> Result {
    // The gate sees what a new worktree sees: copied files and setup.
    _ = try CopiedFiles.copy(project.copy, from: project.path, into: directory)
    // The person's environment, whoever runs `wt done` (GateEnvironment).
    let environment = GateEnvironment.current(store: world.store, project: project.name, fallback: world.environment)
    let confined = sandbox.isOn
      ? try await world.gateSandbox(sandbox, worktree: directory, project: project, environment: environment) : nil
    guard let confined else { return try await run(setup: setup, confined: nil, environment: environment) }
    return try await confined.withProxy { try await run(setup: setup, confined: confined, environment: environment) }
  }

  /// Each command in turn, in the gate worktree (and its sandbox, which
  /// gives the command its own environment; `environment` is an
  /// unconfined one's).
  private func run(setup: Bool, confined: SandboxedCommand?, environment: [String: String]) async throws -> Result {
    var passed: [String] = []
    let setupCommands = setup ? project.setup : []
    for (command, limit) in setupCommands.map({ ($0, 900) }) + project.gate.map({ ($0, 1800) }) {
      try Task.checkCancellation()
      let out =
        if let confined {
          try await confined.output(
            command, runner: world.runner, in: directory, timeout: .seconds(limit), ownGroup: true, groupFile: groupFile)
        } else {
          try await world.runner.output(
            command, in: directory, environment: environment, timeout: .seconds(limit), inherit: false, ownGroup: true,
            groupFile: groupFile)
        }
      try Task.checkCancellation()
      if !out.succeeded {
        return .failed(command: command, status: out.status, excerpt: Self.firstFailure(out.stdout + out.stderr))
      }
      passed.append(command.joined(separator: " "))
    }
    return .passed(passed)
  }

  /// Removes the worktree (ours alone, so `--force` loses nothing of
  /// anyone's) and the key of its setup.
  func discard() async throws {
    try await world.git.administeringWorktrees(of: project.path) { try await remove() }
  }

  private func remove() async throws {
    let registered = try await world.git.worktrees(of: project.path).contains { $0.path == directory }
    if registered {
      try await world.git.forceRemoveWorktree(repo: project.path, path: directory)
    }
    if FileManager.default.fileExists(atPath: directory) { try FileManager.default.removeItem(atPath: directory) }
    try? FileManager.default.removeItem(atPath: setupKeyFile)
    try? FileManager.default.removeItem(atPath: "\(directory).sandbox")
    try await world.git.pruneWorktrees(repo: project.path)
  }
}
