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
  /// What the command is given inside: a terminal's basics (`PATH`,
  /// `LANG`…) and the worker's own variables; never the person's tokens or
  /// the agent's keys.
  var environment: [String: String]
  /// What the program wt starts is given: bubblewrap passes its own
  /// environment inside, so only `environment`; the podman client needs
  /// the person's (its configuration, `XDG_RUNTIME_DIR`) and passes inside
  /// only the names `environment` has.
  var launcherEnvironment: [String: String]
  /// For podman: the container each command runs in (no terminal, no
  /// labels of a worker's, so a pass never takes it for a worker's left
  /// over), removed after each command (`removeContainer`).
  var container: Podman.Run?

  init(layout: SandboxLayout, sandbox: Sandbox, from full: [String: String], extra: [String: String] = [:], name: String) {
    self.layout = layout
    self.runtime = sandbox.runtime
    environment = SandboxSupervisor.environment(full, keep: []).merging(extra) { _, given in given }
    launcherEnvironment = sandbox.runtime == .podman ? full.merging(extra) { _, given in given } : environment
    if sandbox.runtime == .podman {
      var run = Podman.Run(name: name, image: sandbox.image ?? "", passing: [], rootless: geteuid() != 0)
      run.terminal = false
      container = run
    }
  }

  /// The command's argument list, in the sandbox. podman takes the
  /// command's environment by name from its own (never on the line).
  func arguments(_ command: [String]) throws -> [String] {
    // With an allow list, behind the bridge to the proxy `withProxy` runs.
    let inside = layout.proxy.map { Socat().bridged(command, port: SandboxProxy.port, socketFolder: $0.socketFolder) } ?? command
    switch runtime {
    case .none: return command
    case .bwrap: return NativeSandbox.arguments(layout, command: inside)
    case .podman:
      if let why = Podman.unexpressible(layout) { throw SandboxError(why) }
      var run = container ?? Podman.Run(name: "wt-command", image: "")
      run.passing = environment.keys.sorted()
      return Podman().arguments(layout, run: run, command: inside, kind: Bubblewrap.kind)
    }
  }

  /// Runs `body` (the commands) with the sandbox's proxy when its network
  /// is an allow list: `npm ci` reaches the registry it allows, as the
  /// agent would. Without one, `body` alone.
  func withProxy<T>(_ body: () async throws -> T) async throws -> T {
    guard runtime != .none, let proxy = layout.proxy else { return try await body() }
    let held = try await SandboxProxy.Held.start(proxy)
    defer { held.stop() }
    return try await body()
  }

  /// `command` in the sandbox, to its end, with `launcherEnvironment`; its
  /// container (podman) removed however it ends: after a cancellation or
  /// a deadline in a task of its own, which the cancellation cannot reach
  /// (the podman client's end leaves its container running).
  func output(
    _ command: [String], runner: ProcessRunner, in directory: String, timeout: Duration, ownGroup: Bool = false,
    groupFile: String? = nil
  ) async throws -> CommandOutput {
    let argv = try arguments(command)
    do {
      let out = try await runner.output(
        argv, in: directory, environment: launcherEnvironment, timeout: timeout, inherit: false, ownGroup: ownGroup,
        groupFile: groupFile)
      await removeContainer(runner: runner)
      return out
    } catch {
      let confined = self
      await Task.detached { await confined.removeContainer(runner: runner) }.value
      throw error
    }
  }

  /// A command's container, gone whether the command ended, failed, timed
  /// out or was cancelled (the podman client's end does not end it).
  func removeContainer(runner: ProcessRunner) async {
    guard let container else { return }
    try? await Podman().remove(container.name, runner: runner)
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
    let hash = worktree.utf8.reduce(UInt32(2_166_136_261)) { ($0 ^ UInt32($1)) &* 16_777_619 }
    return SandboxedCommand(
      layout: SandboxLayout.derive(worker, sandbox: sandbox), sandbox: sandbox, from: given,
      name: "wt-gate-" + String(format: "%08x", hash))
  }
}
