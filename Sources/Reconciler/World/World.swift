import Foundation
import Manifest

/// The real world wt acts on: one tmux server, git, bd, the state
/// directory. Built once per command from the manifest and environment.
public struct World: Sendable {
  public var tmux: Tmux
  public var git: Git
  public var tracker: any IssueTracker
  public var store: StateStore
  public var runner: ProcessRunner
  /// What `wt` inside a worker needs to find this same world.
  public var workerEnvironment: [String: String]
  /// How to run wt itself from a worker (hooks, `wt done`).
  public var wtExecutable: String

  /// `$WT_TMUX_SOCKET` beats `settings.tmux_socket`; `$WT_BD` beats
  /// `settings.bd`; `$WT_STATE_DIR` picks the state directory.
  /// `$WT_TIMEOUT` (seconds) bounds every external call (default 30), so a
  /// hung bd or git cannot hang wt.
  public init(manifest: Manifest, environment: [String: String], runner: ProcessRunner? = nil) {
    let timeout = environment["WT_TIMEOUT"].flatMap(Double.init).map { Duration.milliseconds(Int($0 * 1000)) }
    let runner = runner ?? ProcessRunner(defaultTimeout: timeout ?? .seconds(30))
    var socket = manifest.settings.tmuxSocket
    if let s = environment["WT_TMUX_SOCKET"], !s.isEmpty {
      socket = s == "default" ? .default : s.contains("/") ? .path(s) : .named(s)
    }
    let bd = environment["WT_BD"].flatMap { $0.isEmpty ? nil : $0 } ?? manifest.settings.bd
    self.runner = runner
    tmux = Tmux(socket: socket, runner: runner)
    git = Git(runner: runner)
    tracker = BeadsCLI(bd: bd, actor: environment["WT_ACTOR"] ?? "wt", runner: runner)
    store = StateStore(directory: StateStore.directory(environment: environment))
    wtExecutable = Self.currentExecutable()
    workerEnvironment = [
      "WT_CONFIG": manifest.file, "WT_STATE_DIR": store.directory, "WT_TMUX_SOCKET": tmux.socketArgument,
      "WT_BD": bd,
    ]
  }

  static func currentExecutable() -> String {
    (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
  }
}

extension World {
  /// One look at everything: a single `tmux list-panes`, per project one
  /// `git worktree list` and two bd calls (run in parallel), the state file
  /// and the machine's load. Changes nothing.
  public func observe(_ manifest: Manifest, projects filter: [String] = []) async throws -> Observed {
    let projects = manifest.projects.filter { filter.isEmpty || filter.contains($0.name) }
    async let panes = tmux.panes()
    let tracker = self.tracker
    let git = self.git
    let worlds = await withTaskGroup(of: (String, Observed.ProjectWorld).self) { group in
      for project in projects {
        group.addTask {
          do {
            async let ready = tracker.ready(in: project.path)
            async let unclosed = tracker.unclosed(in: project.path)
            async let worktrees = git.worktrees(of: project.path)
            return (project.name, try await .init(ready: ready, unclosed: unclosed, worktrees: worktrees))
          } catch {
            return (project.name, .init(error: "\(error)"))
          }
        }
      }
      var out: [String: Observed.ProjectWorld] = [:]
      for await (name, world) in group { out[name] = world }
      return out
    }
    let state = try store.load().markingInterruptedMerges(alive: processIsAlive)
    return Observed(projects: worlds, panes: try await panes, state: state, machine: Self.machine())
  }

  /// Cores, 1-minute load and MemAvailable, from /proc.
  static func machine() -> Observed.Machine {
    let cores = ProcessInfo.processInfo.activeProcessorCount
    let load = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").first
      .flatMap { Double($0) } ?? 0
    var available = ProcessInfo.processInfo.physicalMemory
    if let info = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8),
      let line = info.split(separator: "\n").first(where: { $0.hasPrefix("MemAvailable:") }),
      let kb = line.split(separator: " ").dropFirst().first.flatMap({ UInt64($0) })
    {
      available = kb * 1024
    }
    return .init(cores: cores, load1: load, memoryAvailable: available)
  }
}
