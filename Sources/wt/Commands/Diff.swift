import ArgumentParser
import Foundation
import Manifest
import Reconciler

/// Options shared by `diff` and `apply`.
struct PlanArguments: ParsableArguments {
  @Option(name: .customLong("project"), help: "Only this project (repeatable).")
  var projects: [String] = []

  @Flag(help: "Also tear down workers whose bead is no longer selected.")
  var prune = false

  var planOptions: PlanOptions { PlanOptions(prune: prune, projects: projects) }

  func check(_ manifest: Manifest) throws {
    for name in projects where manifest.project(named: name) == nil {
      throw ValidationError(
        "no project '\(name)' in \(manifest.file); projects: \(manifest.projects.map(\.name).joined(separator: ", "))")
    }
  }
}

/// With `WT_CALL_STATS=1`, external calls are counted on stderr, for the
/// benchmarks.
func reportCalls(_ runner: ProcessRunner) {
  guard ProcessInfo.processInfo.environment["WT_CALL_STATS"] == "1" else { return }
  let counts = runner.calls.snapshot.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
  Terminal.error("calls: \(counts.joined(separator: " ")) total=\(runner.calls.total)")
}

enum OutputFormat: String, ExpressibleByArgument {
  case text, json
}

extension WT {
  struct Diff: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "diff",
      abstract: "Show what 'wt apply' would do. Changes nothing.",
      discussion: "With --detailed-exitcode: 0 no changes, 1 error, 2 changes.")

    @OptionGroup var options: ManifestOptions
    @OptionGroup var plan: PlanArguments
    @Option(name: .shortAndLong, help: "text or json.") var output: OutputFormat = .text
    @Flag(help: "Exit 2 when the plan has changes.") var detailedExitcode = false

    func run() async throws {
      let manifest = try options.load()
      try plan.check(manifest)
      let world = World(manifest: manifest, environment: ProcessInfo.processInfo.environment)
      let observed = try await world.observe(manifest, projects: plan.projects)
      reportCalls(world.runner)
      let result = Reconciler.plan(manifest, observed, options: plan.planOptions)
      switch output {
      case .json: try printJSON(PlanJSON(result))
      case .text:
        print(result.rendered(color: Terminal.useColor), terminator: "")
        let commands = WT.Validate.commands(manifest).filter { plan.projects.isEmpty || plan.projects.contains($0.project) }
        if !commands.isEmpty {
          print("\nEach new worker runs:")
          for c in commands {
            Terminal.line("  \(c.project): \(c.command)" + (c.trusted ? "" : "  (not trusted yet: wt trust \(c.file))"))
          }
        }
      }
      if detailedExitcode && !result.isEmpty { throw ExitCode(2) }
    }
  }
}
