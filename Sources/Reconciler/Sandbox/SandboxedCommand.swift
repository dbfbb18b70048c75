import Foundation
import Manifest

/// A project's own commands (`setup`, `gate`) in a sandbox: they run the
/// repository's code (`npm ci` runs install scripts, a gate runs the tests
/// a worker wrote), so for a sandboxed project they are confined as its
/// agent is. Otherwise an agent could write a test that reads `~/.ssh`
/// and have wt run it as the person at `wt done`.
struct SandboxedCommand: Sendable {
  var layout: SandboxLayout
  var runtime: Sandbox.Runtime
  /// What the command is given: a terminal's basics (`PATH`, `LANG`…) and
  /// `extra`; never the person's tokens or the agent's keys.
  var environment: [String: String]

  /// The command's argument list, in the sandbox.
  func arguments(_ command: [String]) throws -> [String] {
    switch runtime {
    case .none: return command
    case .bwrap:
      // With an allow list, behind the bridge to the proxy `withProxy`
      // runs.
      let inside = layout.proxy.map { Socat().bridged(command, port: SandboxProxy.port, socketFolder: $0.socketFolder) } ?? command
      return Bubblewrap().arguments(layout, command: inside, kind: Bubblewrap.kind)
    case .podman: throw SandboxError("setup and gate commands of a podman sandbox are not confined by this wt yet")
    }
  }

  /// Runs `body` (the commands) with the sandbox's proxy when its network
  /// is an allow list: `npm ci` reaches the registry it allows, as the
  /// agent would. Without one, `body` alone.
  func withProxy<T>(_ body: () async throws -> T) async throws -> T {
    guard runtime == .bwrap, let proxy = layout.proxy else { return try await body() }
    let held = try await SandboxProxy.Held.start(proxy)
    defer { held.stop() }
    return try await body()
  }

  static func environment(_ from: [String: String], extra: [String: String] = [:]) -> [String: String] {
    SandboxSupervisor.environment(from, keep: []).merging(extra) { _, given in given }
  }
}

extension World {
  /// Programs a project's commands name, as found on `PATH` (links
  /// followed), and the libraries this wt loads from outside the system:
  /// what a layout binds in besides the system.
  func programs(of commands: [[String]], path: String) -> [String] {
    let named = commands.compactMap(\.first).flatMap { name -> [String] in
      guard let found = Applier.locate(name, path: path) else { return [] }
      return name.hasPrefix("/") && name != found ? [name, found] : [found]
    }
    return Array(Set(named + Applier.loadedLibraryFolders())).sorted()
  }

  /// The sandbox a gate worktree's commands run in: the gate worktree
  /// read-write, its own home and temporary folder beside it, the
  /// repository's git folder read-only, nothing of wt's state, the
  /// person's home or other worktrees. Made the first time it is needed.
  func gateSandbox(
    _ sandbox: Sandbox, worktree: String, project: Project, environment given: [String: String]
  ) async throws -> SandboxedCommand {
    let common = try await git.commonDirectory(project.path)
    guard let gitDirectory = git.worktreeGitDirectory(of: worktree, common: common) else {
      throw SandboxError("\(worktree) is not a worktree of \(project.path)")
    }
    let path = given["PATH"] ?? ""
    let worker = SandboxedWorker(
      worker: "gate of \(project.name)", worktree: worktree, gitDirectory: gitDirectory, commonDirectory: common,
      beadsDirectory: nil, own: "\(worktree).sandbox", programs: programs(of: project.setup + project.gate, path: path),
      wt: wtExecutable, path: path)
    for folder in [worker.objects + "/pack", worker.objects + "/info", worker.home, worker.run, worker.temporary] {
      try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }
    if !FileManager.default.fileExists(atPath: worker.gitConfig) {
      try "".write(toFile: worker.gitConfig, atomically: true, encoding: .utf8)
    }
    try worker.prepareGitView()
    return SandboxedCommand(
      layout: SandboxLayout.derive(worker, sandbox: sandbox), runtime: sandbox.runtime,
      environment: SandboxedCommand.environment(given))
  }
}
