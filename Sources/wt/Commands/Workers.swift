import ArgumentParser
import Foundation
import Manifest
import Presentation
import Reconciler

/// The manifest and the world it describes, for commands that act.
struct Context {
  var manifest: Manifest
  var world: World
  var environment: WTEnvironment

  /// What a glance names beside its rows: projects whose base is missing
  /// (see `ManifestOptions.load(keepingProjects:)`).
  var problems: [String] = []

  init(_ options: ManifestOptions) async throws {
    self.init(manifest: try await options.load(), environment: options.environment)
  }

  /// For a glance: one project with a missing base leaves the others'.
  init(glance options: ManifestOptions) async throws {
    let (manifest, problems) = try await options.load(keepingProjects: true)
    self.init(manifest: manifest, environment: options.environment)
    self.problems = problems
  }

  init(manifest: Manifest, environment: WTEnvironment) {
    self.manifest = manifest
    self.environment = environment
    world = World(manifest: manifest, environment: environment.variables)
  }

  func locate(_ selector: String?) async throws -> WorkerRef {
    try await world.locate(
      selector, manifest: manifest, environment: environment.variables, directory: FileManager.default.currentDirectoryPath)
  }
}

/// Runs a lifecycle step and turns a refusal into its message and exit 1.
func acting(_ body: () async throws -> [String]) async throws {
  do {
    for line in try await body() { Terminal.line(line) }
  } catch let error as LifecycleError {
    Terminal.error("wt: \(error.message)")
    throw ExitCode.failure
  } catch let error as CommandError {
    Terminal.error("wt: \(describe(error))")
    throw ExitCode.failure
  } catch let stopped as GateInterrupted {
    // The status a shell gives a command ended by that signal.
    Terminal.error("wt: \(stopped)")
    throw ExitCode(128 + stopped.signal)
  }
}

extension WT {
  struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "status",
      abstract: "Workers now: status, age, last activity, commits ahead, uncommitted files.",
      discussion: discussion(example: "$ wt status --json | jq -r '.workers[] | select(.message != null).message'"))

    @OptionGroup var options: ManifestOptions
    @OptionGroup var output: OutputOptions
    @Flag(help: "Print only how many workers need a person (for a tmux status line).") var attention = false

    func run() async throws {
      if attention { return try Self.printAttention(environment: options.environment) }
      let context = try await Context(glance: options)
      let manifest = context.manifest
      async let hosts = manifest.remoteProjects.isEmpty
        ? ([], [], []) : await Fleet.connect(manifest, environment: options.environment).rows(["status", "--json"], key: ListKey.workers, marking: \WorkerStatus.host)
      let observed = try await context.world.observe(context.manifest)
      let (remoteRows, hostProblems, reached) = await hosts
      let problems = context.problems + hostProblems
      if !reached.isEmpty { Fleet.remember(remoteRows, reached: reached, manifest: manifest, environment: options.environment) }
      let rows = try await context.world.status(context.manifest, observed: observed) + remoteRows
      defer { for problem in problems { Terminal.error("wt: \(problem)") } }
      if output.isJSON {
        try printJSON(ListKey.workers, rows)
      } else {
        if rows.isEmpty { print("No workers. 'wt diff' shows what 'wt apply' would start.") } else {
          print(StatusTable.render(rows, width: Terminal.width, color: Terminal.useColor), terminator: "")
        }
        let waiting = context.world.plan(context.manifest, observed).waiting
        if !waiting.isEmpty {
          print("\nWaiting:")
          for w in waiting { Terminal.line("  \(w.project)/\(TerminalText.escape(w.bead))  P\(w.priority)  \"\(TerminalText.escape(w.title))\": \(TerminalText.escape(w.reason))") }
        }
      }
      // A host not shown, or a project whose base is missing, is not a
      // glance that tells the whole truth: shown, named, and exit 1.
      if !problems.isEmpty { throw ExitCode.failure }
    }

    /// The state file only (no manifest, tmux, git or bd): a status line
    /// runs this every few seconds, also without the argument parser
    /// (`WT.main`).
    static func printAttention(environment: WTEnvironment) throws {
      let store = StateStore(directory: environment.stateDirectory)
      do {
        // Workers on hosts count as the hub, 'wt status' or 'wt apply
        // --watch' last saw them; no host is asked from a status line.
        let remote = HostNotices(directory: store.directory).attention()
        let line = Attention.line(Attention.count(in: try store.load()) + remote)
        print(line, terminator: line.isEmpty ? "" : "\n")
      } catch {
        Terminal.error("wt: \(error)")
        throw ExitCode.failure
      }
    }
  }

  struct Forget: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "forget",
      abstract: "Drop wt's record of a worker that no longer runs (an orphaned or dead row).",
      discussion: discussion(
        "Touches no session, worktree, branch or bead; a worker that still runs is refused (use 'wt abandon').",
        example: "$ wt forget api/api-7kq"))

    @OptionGroup var options: ManifestOptions
    @Argument(help: "The worker's name (PROJECT/BEAD) or its bead id.") var worker: String

    func run() async throws {
      // Also for a record whose project left wt.yaml, so no project is
      // needed; only the tmux server and the state.
      let manifest = try await options.loadMarkingTrust()
      if worker.contains("/") { try await Context(manifest: manifest, environment: options.environment).forwardIfRemote(worker: worker) }
      let world = World(manifest: manifest, environment: options.environment.variables)
      let store = world.store
      let panes = try await world.tmux.panes().filter(\.isWorker)
      try await acting {
        let forgotten = try store.update { state -> WorkerRecord in
          let hits = state.workers.values.filter { $0.name == worker || $0.bead == worker }
          guard hits.count == 1, let record = hits.first else {
            throw LifecycleError(
              hits.isEmpty ? "no worker '\(worker)' is recorded in \(store.directory)" : "'\(worker)' names several workers; use PROJECT/BEAD")
          }
          if panes.contains(where: { $0.project == record.project && $0.bead == record.bead }) {
            throw LifecycleError("\(record.name) still runs in a session; 'wt abandon \(record.bead)' stops it first")
          }
          state.workers[record.name] = nil
          return record
        }
        store.record(.forgotten, worker: forgotten.name)
        let tree = FileManager.default.fileExists(atPath: forgotten.worktree) ? "; its worktree \(forgotten.worktree) stays" : ""
        return ["forgot \(forgotten.name)\(tree)"]
      }
    }
  }

  struct New: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "new",
      abstract: "Start a worker for one bead now, outside the selection (inside the limits unless --force).",
      discussion: discussion(example: "$ wt new api-7kq --project api"))

    @OptionGroup var options: ManifestOptions
    @Argument(help: "The bead id.", transform: beadID) var bead: BeadID
    @Option(help: "The project the bead belongs to (default: the first that knows it).") var project: String?
    @Flag(help: "Start even when the project or max_workers is full, or every account the bead may use is paused (then on the first).") var force = false

    func run() async throws {
      let context = try await Context(options)
      GateEnvironment.record(context.environment.variables, in: context.world.store, projects: project.map { [$0] } ?? [])
      try await context.forwardIfRemote(worker: bead.rawValue, project: project)
      try await acting {
        try await StartOne(manifest: context.manifest, world: context.world).run(bead: bead, project: project, force: force)
          .lines()
      }
    }
  }

  struct Done: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "done",
      abstract: "Finish a worker: merge through the merge queue / open a PR / keep per on_done, close the bead, tear down.",
      discussion: discussion(
        """
        Inside a worker's worktree (or with $WT_WORKER) the bead is implied. Refuses, changing nothing, when the \
        branch has no commits beyond base, or the worktree holds commits the branch lacks. With on_done: merge the \
        branch is merged with base off-checkout, the gate runs on that result, and base moves only by fast-forward \
        or compare-and-swap, one merge per repository at a time ('wt queue' shows them).
        """,
        example: "$ git commit -am 'Parse dates in the local zone' && wt done"))

    @OptionGroup var options: ManifestOptions
    @Argument(help: "The bead id (default: the worker you are in).") var bead: String?
    @Flag(help: "Close the bead even when its branch has no commits beyond base.") var allowEmpty = false

    func run() async throws {
      let context = try await Context(options)
      try await context.forwardIfRemote(worker: bead)
      // From the person's shell, this is the environment the gate runs in;
      // from a worker's session, the last one the person's wt recorded.
      GateEnvironment.record(context.environment.variables, in: context.world.store)
      try await acting {
        let worker = try await context.locate(bead)
        if let foreign = worker.project.foreign, foreign.needsTrust, !worker.project.gate.isEmpty {
          // The gate would run the repository's commands on its say-so.
          throw LifecycleError("\(foreign.refusal) Nothing was merged.")
        }
        var finish = Finish(manifest: context.manifest, world: context.world)
        finish.allowEmpty = allowEmpty
        finish.insideWorker = context.environment.worker == worker.name
        finish.progress = { Terminal.error("wt: \($0)") }
        guard finish.insideWorker else { return try await finish.run(worker) }
        let signal = StatusSignal(store: context.world.store)
        return try await signal.recordingFailedDone(worker: worker.name) { try await finish.run(worker) }
      }
    }
  }

  struct Abandon: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "abandon",
      abstract: "Stop a worker and release its bead; keep the worktree (--delete removes it only if it holds no work).",
      discussion: discussion(
        "If the bead is still selected, the next 'wt apply' starts it again; label it out of the selection to stop that.",
        example: "$ wt abandon api-7kq --delete"))

    @OptionGroup var options: ManifestOptions
    @Argument(help: "The bead id.") var bead: String
    @Flag(help: "Remove the worktree too, only when it has no uncommitted files and nothing unmerged.") var delete = false

    func run() async throws {
      let context = try await Context(options)
      try await context.forwardIfRemote(worker: bead)
      try await acting {
        let worker = try await context.locate(bead)
        return try await Reconciler.Abandon(world: context.world).run(worker, delete: delete)
      }
    }
  }

  struct Attach: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "attach",
      abstract: "Switch this tmux client to a worker's session (or attach when outside tmux).",
      discussion: discussion(example: "$ wt attach api-7kq     # detach (prefix + d) to leave it running"))

    @OptionGroup var options: ManifestOptions
    @Argument(help: "The bead id or worker name.") var name: String

    func run() async throws {
      let context = try await Context(options)
      try await context.forwardIfRemote(worker: name)
      let worker = try await context.locate(name)
      try replaceProcess(with: context.world.tmux.clientArguments(for: worker.session, client: context.environment.tmuxClient))
    }
  }
}

extension StepReport.Outcome {
  /// What a one-worker command prints; a skipped or failed step is a
  /// refusal (exit 1 through `acting`).
  func lines() throws -> [String] {
    switch self {
    case .done(let text): return [text]
    case .skipped(let text), .failed(let text): throw LifecycleError(text)
    }
  }
}

/// Replaces wt with `argv` (found on PATH), so tmux gets the terminal.
func replaceProcess(with argv: [String]) throws -> Never {
  var cArgs = argv.map { strdup($0) }
  cArgs.append(nil)
  execvp(argv[0], &cArgs)
  Terminal.error("wt: cannot run \(argv[0]): \(String(cString: strerror(errno)))")
  throw ExitCode.failure
}
