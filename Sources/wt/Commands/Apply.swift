import ArgumentParser
import Foundation
import Logging
import Manifest
import Reconciler

extension WT {
  struct Apply: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "apply",
      abstract: "Make the world match wt.yaml: start, prompt, restart and tear down workers.",
      discussion: """
        Shows the plan and asks first when run from a terminal; without a terminal it needs --yes.
        With --watch it reconciles again whenever a bead, a worker or wt.yaml changes, and at a steady interval.
        """)

    @OptionGroup var options: ManifestOptions
    @OptionGroup var plan: PlanArguments
    @Flag(name: .shortAndLong, help: "Apply without asking.") var yes = false
    @Flag(help: "Keep reconciling until interrupted.") var watch = false
    @Option(help: "Seconds between passes with --watch when nothing changes (0.5 to 86400).", transform: intervalSeconds)
    var interval: Double = 30

    func run() async throws {
      interruptsExit()
      if !yes && !Terminal.stdinIsTerminal {
        Terminal.error("wt apply: not asking without a terminal; pass --yes to apply the plan as shown by 'wt diff'")
        throw ExitCode.failure
      }
      var manifest = try options.load()
      try plan.check(manifest)
      if !watch {
        let failed = try await pass(manifest, ask: !yes)
        if failed { throw ExitCode.failure }
        return
      }
      var watcher = ChangeWatcher(manifest: manifest)
      var backoff = interval
      while true {
        do {
          _ = try await pass(manifest, ask: false)
          backoff = interval
        } catch {
          // A failing bd or a restarting tmux is survived: say it and try
          // again, waiting longer each time it fails in a row (up to 5 min).
          backoff = min(backoff * 2, 300)
          Terminal.error("wt apply --watch: \(describe(error)); retrying in \(Int(backoff)) s")
        }
        await watcher.waitForChange(orAfter: .seconds(backoff))
        if let reloaded = watcher.reloadedManifest(loader: options) { manifest = reloaded }
      }
    }

    /// One observe → plan → apply under the apply lock. True when a change
    /// failed.
    func pass(_ manifest: Manifest, ask: Bool) async throws -> Bool {
      let environment = ProcessInfo.processInfo.environment
      let world = World(manifest: manifest, environment: environment)
      let lock: ApplyLock
      do {
        lock = try await ApplyLock(store: world.store, wait: .seconds(60))
      } catch let busy as ApplyLock.Busy {
        Terminal.error("wt apply: \(busy)")
        throw ExitCode.failure
      }
      defer { withExtendedLifetime(lock) {} }
      let observed = try await world.observe(manifest, projects: plan.projects)
      // Unattended, this is the look that notices a dead agent or a bead
      // closed elsewhere; it records them so a person is told once.
      if watch { world.recordObservedTransitions(manifest, observed) }
      let result = Reconciler.plan(manifest, observed, options: plan.planOptions)
      if result.isEmpty && watch { return false }
      print(result.rendered(color: Terminal.useColor), terminator: "")
      if result.isEmpty { return false }
      if ask {
        print("Apply this plan? Only 'yes' is accepted: ", terminator: "")
        guard readLine()?.trimmingCharacters(in: .whitespaces) == "yes" else {
          print("Nothing applied.")
          return false
        }
      }
      var logger = Logger(label: "wt.apply")
      logger.logLevel = environment["WT_LOG"].flatMap { Logger.Level(rawValue: $0) } ?? .warning
      let reports = await Applier(manifest: manifest, world: world, logger: logger).apply(result)
      for report in reports {
        switch report.outcome {
        case .done(let text): Terminal.line("\(report.action.rawValue) \(report.worker): \(text)")
        case .skipped(let text): Terminal.line("\(report.action.rawValue) \(report.worker): skipped: \(text)")
        case .failed(let text): Terminal.error("\(report.action.rawValue) \(report.worker): failed: \(text)")
        }
      }
      let failed = reports.filter(\.failed).count
      print("Apply: \(reports.count - failed) done, \(failed) failed.")
      return failed > 0
    }
  }

  struct Auto: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "auto",
      abstract: "Work through the backlog unattended: 'wt apply --watch --yes'.")

    @OptionGroup var options: ManifestOptions
    @OptionGroup var plan: PlanArguments
    @Option(help: "Seconds between passes when nothing changes (0.5 to 86400).", transform: intervalSeconds)
    var interval: Double = 30

    func run() async throws {
      var apply = Apply()
      apply.options = options
      apply.plan = plan
      apply.yes = true
      apply.watch = true
      apply.interval = interval
      try await apply.run()
    }
  }
}

/// Ctrl-C ends wt with status 130. Every apply step is idempotent and state
/// is written atomically, so the next apply finishes what this one began.
func interruptsExit() {
  signal(SIGINT, SIG_IGN)
  let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .main)
  source.setEventHandler {
    Terminal.error("\nwt: interrupted; run 'wt apply' again to finish")
    exit(130)
  }
  source.resume()
  interruptSource = source
}

nonisolated(unsafe) private var interruptSource: DispatchSourceSignal?
