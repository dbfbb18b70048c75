import ArgumentParser
import Foundation
import Manifest
import Presentation
import Reconciler

/// Options shared by `diff` and `apply`.
struct PlanArguments: ParsableArguments {
  @Option(name: .customLong("project"), help: "Only this project (repeatable).")
  var projects: [String] = []

  @Flag(help: "Also tear down workers whose bead is no longer selected.")
  var prune = false

  var planOptions: PlanOptions { PlanOptions(prune: prune, projects: projects) }

  func check(_ manifest: Manifest) throws {
    let remote = manifest.remoteProjects.map(\.name)
    for name in projects where manifest.project(named: name) == nil && !remote.contains(name) {
      throw Failure(
        "no project '\(name)' in \(manifest.file); projects: \((manifest.projects.map(\.name) + remote).joined(separator: ", "))")
    }
  }

  /// The controller that plans (and applies) with these choices.
  func controller(environment: WTEnvironment) -> Controller {
    Controller(environment: environment.variables, options: planOptions)
  }
}

/// With `WT_CALL_STATS=1`, external calls are counted on stderr, for the
/// benchmarks.
func reportCalls(_ runner: ProcessRunner, label: String = "calls", environment: WTEnvironment) {
  guard environment.countsCalls else { return }
  let counts = runner.calls.snapshot.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
  Terminal.error("\(label): \(counts.joined(separator: " ")) total=\(runner.calls.total)")
}


extension WT {
  struct Diff: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "diff",
      abstract: "Show what 'wt apply' would do. Changes nothing.",
      discussion: discussion(
        "With --detailed-exitcode: 0 no changes, 1 error, 2 changes.",
        example: "$ wt diff --project api -o json | jq -r '.changes[].worker'"))

    @OptionGroup var options: ManifestOptions
    @OptionGroup var plan: PlanArguments
    @OptionGroup var output: OutputOptions
    @Flag(help: "Exit 2 when the plan has changes.") var detailedExitcode = false

    /// setup and gate run the repository's code: confined when the
    /// project's agents are (`Manifest.commandSandbox`).
    static func confinement(_ c: WT.Validate.Command, _ manifest: Manifest) -> String {
      guard ["setup:", "gate:"].contains(where: c.command.hasPrefix), let project = manifest.project(named: c.project) else { return "" }
      let sandbox = manifest.commandSandbox(for: project)
      return sandbox.isOn ? "  (in a \(sandbox.runtime.rawValue) sandbox)" : ""
    }

    func run() async throws {
      let manifest = try await options.load()
      try plan.check(manifest)
      let asJSON = output.isJSON
      let controller = plan.controller(environment: options.environment)
      // Hosts plan their own projects while this machine plans its own.
      async let remote = controller.hostPlans(manifest, json: asJSON)
      let world = World(manifest: manifest, environment: controller.environment)
      let result = try await controller.plan(manifest, world: world)
      reportCalls(world.runner, environment: options.environment)
      let (hosts, hostCalls) = await remote
      if let hostCalls { reportCalls(hostCalls, label: "calls to hosts", environment: options.environment) }
      var changed = !result.isEmpty
      var failed = false
      switch asJSON {
      case true:
        var combined = PlanJSON(result)
        for answer in hosts {
          switch answer.result {
          case .success(let out):
            guard let theirs = try? PlanJSON.decode(out.stdout) else {
              failed = true
              combined.add(note: "its wt answered something that is not a plan; not observed, its workers are left alone", host: answer.host.name)
              continue
            }
            combined.add(theirs, host: answer.host.name)
            changed = changed || theirs.changeCount > 0
          case .failure(let error):
            // A host suspended on purpose is quiet, not failing.
            failed = failed || !(error is HostSuspended)
            combined.add(note: Fleet.leftAlone(error), host: answer.host.name)
          }
        }
        try printJSON(combined)
      case false:
        let showLocal = controller.includesLocal(manifest) || hosts.isEmpty
        if showLocal {
          print(result.rendered(color: Terminal.useColor), terminator: "")
          showCommands(of: result.changes, manifest)
          failed = await !Self.showSandboxes(of: result.changes, manifest, world: world) || failed
        }
        for (i, answer) in hosts.enumerated() {
          if showLocal || i > 0 { print() }
          switch answer.result {
          case .success(let out):
            print(Fleet.section(answer.host, out.stdout), terminator: "")
            if !out.stderr.isEmpty { Terminal.error(out.stderr.trimmingCharacters(in: .newlines)) }
            if out.status == 2 { changed = true } else if !out.succeeded { failed = true }
          case .failure(let error):
            failed = failed || !(error is HostSuspended)
            print(Fleet.section(answer.host, ""), terminator: "")
            Terminal.error("wt: " + Fleet.leftAlone(error))
          }
        }
      }
      if failed { throw ExitCode.failure }
      if detailedExitcode && changed { throw ExitCode(2) }
    }
  }
}

extension WT.Diff {
  /// The commands each new worker runs: only where this plan starts
  /// workers, or what is not trusted yet (what trust would let run is what
  /// to read before trusting).
  func showCommands(of changes: [Plan.Change], _ manifest: Manifest) {
    let starting = Set(changes.filter { $0.action == .create }.map(\.project))
    let commands = WT.Validate.commands(manifest).filter { c in
      (plan.projects.isEmpty || plan.projects.contains(c.project)) && (starting.contains(c.project) || !c.trusted)
    }
    guard !commands.isEmpty else { return }
    print("\nEach new worker runs:")
    for c in commands {
      Terminal.line(
        "  \(c.project): \(c.command)" + Self.confinement(c, manifest) + (c.trusted ? "" : "  (not trusted yet: wt trust \(c.file))"))
    }
  }

  /// The mounts of each new sandboxed worker, then what keeps its sandbox
  /// from starting here (it would fail its start: said now, as `wt
  /// validate` says it). False when something does.
  static func showSandboxes(of changes: [Plan.Change], _ manifest: Manifest, world: World) async -> Bool {
    var sandboxes: [Sandbox] = []
    for change in changes where change.action == .create {
      guard let project = manifest.project(named: change.project), let profile = manifest.agents[change.agent] else { continue }
      let sandbox = manifest.sandbox(for: project, agent: change.agent)
      guard sandbox.isOn, let common = try? await world.git.commonDirectory(project.path) else { continue }
      if !sandboxes.contains(sandbox) { sandboxes.append(sandbox) }
      let facts = world.sandboxedWorker(change, project: project, profile: profile, common: common)
      print("\n" + SandboxLayout.derive(facts, sandbox: sandbox).rendered(worker: change.worker, sandbox: sandbox), terminator: "")
    }
    let problems = await SandboxCheck.diagnostics(sandboxes, manifest: manifest, runner: world.runner)
    for d in problems { Terminal.error(d.description) }
    return problems.isEmpty
  }
}
