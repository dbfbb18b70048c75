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
  /// The environment wt runs in (for notify, which reads the manifest the
  /// worker came from).
  public var environment: [String: String]
  /// The name wt claims beads as (`$WT_ACTOR`, else `wt`): one value for
  /// claiming and for recognising its claims, or an orphaned claim would
  /// be neither adopted nor released.
  public var actor: String

  /// `$WT_TMUX_SOCKET` beats `settings.tmux_socket`; `$WT_BD` beats
  /// `settings.bd`; `$WT_STATE_DIR` picks the state directory.
  /// `$WT_TIMEOUT` (seconds) bounds every external call (default 30), so a
  /// hung bd or git cannot hang wt.
  public init(manifest: Manifest, environment: [String: String], runner: ProcessRunner? = nil) {
    // An unusable WT_TIMEOUT is refused where the manifest is loaded
    // (`Seconds.timeout`); here it falls back to the default.
    let seconds = (try? Seconds.timeout(environment: environment).get()) ?? nil
    let timeout = seconds.map { Duration.milliseconds(Int($0 * 1000)) }
    let runner = runner ?? ProcessRunner(defaultTimeout: timeout ?? .seconds(30))
    var socket = manifest.settings.tmuxSocket
    if let s = environment["WT_TMUX_SOCKET"], !s.isEmpty {
      socket = s == "default" ? .default : s.contains("/") ? .path(s) : .named(s)
    }
    let bd = environment["WT_BD"].flatMap { $0.isEmpty ? nil : $0 } ?? manifest.settings.bd
    self.runner = runner
    self.environment = environment
    tmux = Tmux(socket: socket, runner: runner)
    tmux.temporaryDirectory = WTEnvironment(environment).tmuxTemporaryDirectory
    git = Git(runner: runner)
    actor = environment["WT_ACTOR"].flatMap { $0.isEmpty ? nil : $0 } ?? "wt"
    tracker = BeadsCLI(bd: bd, actor: actor, runner: runner)
    store = StateStore(directory: StateStore.directory(environment: environment))
    wtExecutable = Self.currentExecutable()
    workerEnvironment = [
      "WT_CONFIG": manifest.file, "WT_STATE_DIR": store.directory, "WT_TMUX_SOCKET": tmux.socketArgument,
      "WT_BD": bd,
    ]
    // wt inside the worker must treat a repository's manifest as such,
    // not as one the person named through WT_CONFIG. On a host, the
    // worker's wt must see the manifest as this host's share. Both are set,
    // empty when they do not apply: a session starts with its tmux server's
    // environment, which is that of whichever wt started the server (on a
    // host shared with the person's own projects, one driven with WT_HOST).
    workerEnvironment["WT_CONFIG_ORIGIN"] = manifest.foreign != nil ? "repository" : ""
    workerEnvironment["WT_HOST"] = manifest.perspective ?? ""
  }

  /// Hooks and the hub run wt by this path, so it must be absolute: a
  /// relative `argv[0]` would quietly do nothing from a worktree. When the
  /// system cannot say, a bare `wt` is found on PATH when the hook runs.
  static func currentExecutable() -> String {
    if let path = CurrentPlatform().executablePath() { return path }
    let argv0 = CommandLine.arguments[0]
    guard argv0.contains("/") else { return "wt" }
    return argv0.hasPrefix("/") ? argv0 : FileManager.default.currentDirectoryPath + "/" + argv0
  }
}

extension World {
  /// `plan` with this world's actor, so what it treats as wt's claims are
  /// the ones its tracker makes.
  public func plan(_ manifest: Manifest, _ observed: Observed, options: PlanOptions = PlanOptions()) -> Plan {
    var options = options
    options.actor = actor
    return Reconciler.plan(manifest, observed, options: options)
  }

  /// One look at everything: a single `tmux list-panes`, per project one
  /// `git worktree list` and two bd calls (run in parallel), the state file
  /// and the machine's load. Changes nothing.
  ///
  /// `reusing`: what bd and git showed a moment ago, for looks that ask
  /// them only now and then (`wt watch`); tmux and the state are read
  /// afresh every time.
  public func observe(
    _ manifest: Manifest, projects filter: [String] = [], reusing: [String: Observed.ProjectWorld]? = nil
  ) async throws -> Observed {
    let projects = manifest.projects.filter { (filter.isEmpty || filter.contains($0.name)) && reusing?[$0.name] == nil }
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
            return (project.name, .init(error: describe(error)))
          }
        }
      }
      var out = reusing ?? [:]
      for await (name, world) in group { out[name] = world }
      return out
    }
    let live = try await panes
    let state = try store.load().markingInterruptedMerges(alive: processIsAlive)
    let confirmed = await confirmingMissingBeads(manifest, worlds, panes: live, state: state)
    var observed = Observed(
      projects: await countingUncommitted(manifest, confirmed, panes: live), panes: live, state: state,
      machine: Self.machine())
    observed.mergeHoldsCleared = await mergeHoldsCleared(manifest, state, projects: Set(projects.map(\.name)))
    // Only new bytes of the agents' records are read (UsageMeter). A
    // ledger that cannot be read leaves the figures unknown, never the pass
    // failed; `wt usage` says why.
    observed.usage = (try? usageRows(manifest, state: state)) ?? []
    return observed
  }

  /// Held merges whose hold is gone: asked only when a merge is held, one
  /// look at the person's checkout each.
  func mergeHoldsCleared(_ manifest: Manifest, _ state: State, projects: Set<String>) async -> Set<String> {
    var cleared = Set<String>()
    for entry in state.merges.values where entry.phase == .held && projects.contains(entry.project) {
      guard let project = manifest.project(named: entry.project),
        (try? await Merger(world: self).busyCheckout(project)) == .some(nil)
      else { continue }
      cleared.insert(entry.worker)
    }
    return cleared
  }

  /// A worker's bead that `bd list` did not show is not thereby closed:
  /// the list may be older than the bead or its claim (`wt watch` reuses
  /// one for a minute; another wt may create and claim between two
  /// calls). Only `bd show` says closed: a bead it shows unclosed joins
  /// the unclosed, one it does not find stays missing (deleted), and when
  /// bd cannot answer the project is not observed this time. A worker
  /// already recorded done was confirmed when it was recorded.
  func confirmingMissingBeads(
    _ manifest: Manifest, _ worlds: [String: Observed.ProjectWorld], panes: [Pane], state: State
  ) async -> [String: Observed.ProjectWorld] {
    var out = worlds
    for project in manifest.projects {
      guard var world = worlds[project.name], world.error == nil else { continue }
      let known = Set(world.unclosed.map(\.id))
      var beads = Set(panes.filter { $0.isWorker && !$0.hub && $0.project == project.name }.map(\.bead))
      for record in state.workers.values where record.project == project.name && record.retained == nil {
        beads.insert(record.bead)
      }
      let done = Set(state.workers.values.filter { $0.project == project.name && $0.status == .done }.map(\.bead))
      for id in beads.subtracting(known).subtracting(done).sorted() where BeadID.isValid(id) {
        do {
          if let bead = try await tracker.show(id, in: project.path), !bead.isClosed { world.unclosed.append(bead) }
        } catch {
          world = .init(error: "bd list did not show bead \(id) and bd show could not say whether it is closed: \(describe(error))")
          break
        }
      }
      out[project.name] = world
    }
    return out
  }

  /// When more workers run than `workers` or `max_workers` allow, how much
  /// uncommitted work each of those projects' workers holds: `--prune`
  /// stops only clean ones. Nothing is asked otherwise.
  func countingUncommitted(
    _ manifest: Manifest, _ worlds: [String: Observed.ProjectWorld], panes: [Pane]
  ) async -> [String: Observed.ProjectWorld] {
    let workers = panes.filter { $0.isWorker && !$0.hub }
    let total = Set(workers.map(\.session)).count
    let overGlobal = manifest.settings.maxWorkers.map { total > $0 } ?? false
    var out = worlds
    for project in manifest.projects {
      let mine = workers.filter { $0.project == project.name }
      guard var world = out[project.name], world.error == nil,
        overGlobal || Set(mine.map(\.session)).count > project.workers
      else { continue }
      for pane in mine where world.uncommitted[pane.worktree] == nil {
        world.uncommitted[pane.worktree] = try? await git.uncommittedFiles(in: pane.worktree)
      }
      out[project.name] = world
    }
    return out
  }

  /// Cores, 1-minute load and available memory, as far as the host tells.
  static func machine() -> Observed.Machine {
    let host = CurrentPlatform()
    return .init(cores: host.cores(), load1: host.loadAverage(), memoryAvailable: host.availableMemory())
  }
}
