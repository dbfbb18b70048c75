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
    /// On a host, for the wt that drives it: wait up to this many seconds
    /// for a change here (0: none), then make one unattended pass.
    @Option(help: ArgumentHelp(visibility: .private), transform: intervalOrZero) var passAfter: Double?

    /// No person is asked or shown an empty plan: `--watch`, or a host's
    /// pass for the wt that drives it.
    var unattended: Bool { watch || passAfter != nil }

    func run() async throws {
      interruptsExit()
      if !yes && !Terminal.stdinIsTerminal && passAfter == nil {
        Terminal.error("wt: not asking without a terminal; pass --yes to apply the plan as shown by 'wt diff'")
        throw ExitCode.failure
      }
      let manifest = try await options.load()
      try plan.check(manifest)
      if let wait = passAfter {
        // What happened here since the last such pass ended (a worker's
        // `wt done` while the driving wt was away) wakes this one at once.
        if wait > 0 {
          var watcher = ChangeWatcher(manifest: manifest, eventsSeen: ChangeWatcher.readHostPassMark())
          await watcher.waitForChange(orAfter: .milliseconds(Int(wait * 1000)))
        }
        // Marked as the pass looks: what happens during it (a worker that
        // finishes at once) wakes the next one.
        ChangeWatcher.writeHostPassMark()
        if try await pass(manifest, ask: false) { throw ExitCode.failure }
        return
      }
      if !watch {
        if try await pass(manifest, ask: !yes, hosts: !manifest.remoteProjects.isEmpty) { throw ExitCode.failure }
        return
      }
      // Each host keeps its own loop, so a slow or lost host never holds
      // up this machine's passes or another host's.
      let current = CurrentManifest(manifest)
      await withTaskGroup(of: Void.self) { group in
        for host in manifest.projectsByHost.map(\.host) {
          group.addTask { await hostLoop(host.name, current) }
        }
        group.addTask { await localLoop(current) }
      }
    }

    func localLoop(_ current: CurrentManifest) async {
      var manifest = await current.manifest
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
          Terminal.error("wt: \(describe(error)); retrying in \(Int(backoff)) s")
        }
        await watcher.waitForChange(orAfter: .seconds(backoff))
        if let reloaded = await watcher.reloadedManifest(loader: options) {
          manifest = reloaded
          await current.set(reloaded)
        }
      }
    }

    /// One host's share of `--watch`: its wt waits there for a change (or
    /// the interval), makes a pass, and answers; the manifest is delivered
    /// again each time, so an edit reaches the host on the next pass. A
    /// host that cannot be reached is said once, then tried again less
    /// and less often (up to 5 min).
    func hostLoop(_ name: String, _ current: CurrentManifest) async {
      let state = StateStore.directory(environment: ProcessInfo.processInfo.environment)
      var wait = 0.0
      var backoff = interval
      var lastProblem: String?
      while true {
        let manifest = await current.manifest
        let filter = plan.projects
        guard let host = manifest.host(named: name),
          manifest.remoteProjects.contains(where: { $0.host == name && (filter.isEmpty || filter.contains($0.name)) })
        else {
          try? await Task.sleep(for: .seconds(interval))
          continue
        }
        do {
          let link = try await HostLink.connect(host, manifest: manifest, stateDirectory: state, runner: ProcessRunner())
          let arguments = ["apply", "--pass-after", String(wait)] + plan.remoteArguments(host, manifest)
          let out = try await link.wt(arguments, timeout: .seconds(wait + Self.remotePassBudget))
          if lastProblem != nil { Terminal.error("wt: host \(name) answers again") }
          lastProblem = nil
          if !out.stdout.isEmpty { print(Fleet.section(host, out.stdout), terminator: "") }
          if !out.stderr.isEmpty { Terminal.error(Fleet.section(host, out.stderr)) }
          // Unattended, this is the look that tells a person a worker there
          // needs them (this machine's notify; the host runs none).
          if let workers = try? await link.workers() { Fleet.remember(workers, reached: [name], manifest: manifest) }
          wait = interval
          backoff = interval
        } catch {
          let problem = Fleet.leftAlone(error)
          if problem != lastProblem { Terminal.error("wt: \(problem); trying again") }
          lastProblem = problem
          try? await Task.sleep(for: .seconds(backoff))
          backoff = min(backoff * 2, 300)
          wait = 0
        }
      }
    }

    /// How long a host's pass may take once it starts: prompts reach their
    /// agents within the delivery deadline, starts are staggered.
    static let remotePassBudget = 600.0

    /// One observe → plan → apply under the apply lock, for this machine's
    /// projects and, with `hosts`, every host's at the same time (asked
    /// once for all). True when a change failed or a host was not reached.
    func pass(_ manifest: Manifest, ask: Bool, hosts: Bool = false) async throws -> Bool {
      let plan = self.plan
      // Unasked, the hosts apply while this machine observes: a slow host
      // never holds up this machine's workers.
      let fleet = hosts ? Task { await Fleet.connect(manifest, projects: plan.projects) } : nil
      let unasked = ask ? nil : fleet.map { fleet in
        Task { await fleet.value.run(timeout: .seconds(Self.remotePassBudget)) { ["apply", "--yes"] + plan.remoteArguments($0.host, manifest) } }
      }
      let environment = ProcessInfo.processInfo.environment
      let world = World(manifest: manifest, environment: environment)
      // The person's environment is the one every gate runs in.
      GateEnvironment.record(environment, in: world.store)
      let lock: ApplyLock
      do {
        lock = try await ApplyLock(store: world.store, wait: .seconds(60))
      } catch let busy as ApplyLock.Busy {
        Terminal.error("wt: \(busy)")
        throw ExitCode.failure
      }
      defer { withExtendedLifetime(lock) {} }
      let local = plan.includesLocal(manifest)
      var result = Plan()
      if local {
        let observed = try await world.observe(manifest, projects: plan.projects.filter { manifest.project(named: $0) != nil })
        // Unattended, this is the look that notices a dead agent or a bead
        // closed elsewhere; it records them so a person is told once.
        if unattended { world.recordObservedTransitions(manifest, observed) }
        result = world.plan(manifest, observed, options: plan.planOptions)
      }
      var failed = false
      var hostsChange = false
      if ask, let fleet {
        // A person answers for every host: show each one's plan first.
        for answer in await fleet.value.run({ ["diff", "--detailed-exitcode"] + plan.remoteArguments($0.host, manifest) }) {
          switch answer.result {
          case .success(let out):
            print(Fleet.section(answer.host, out.stdout))
            if out.status == 2 { hostsChange = true } else if !out.succeeded { failed = true }
          case .failure(let error):
            failed = true
            Terminal.error("wt: " + Fleet.leftAlone(error))
          }
        }
      }
      if local && !(result.isEmpty && unattended) { print(result.rendered(color: Terminal.useColor), terminator: "") }
      if ask {
        guard !result.isEmpty || hostsChange else { return failed }
        print("Apply this plan? Only 'yes' is accepted: ", terminator: "")
        guard readLine()?.trimmingCharacters(in: .whitespaces) == "yes" else {
          print("Nothing applied.")
          return failed
        }
      }
      let asked = ask ? fleet.map { fleet in
        Task { await fleet.value.run(timeout: .seconds(Self.remotePassBudget)) { ["apply", "--yes"] + plan.remoteArguments($0.host, manifest) } }
      } : nil
      if !result.isEmpty {
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
        let failures = reports.filter(\.failed).count
        let skipped = reports.filter { if case .skipped = $0.outcome { true } else { false } }.count
        print("Apply: \(reports.count - failures - skipped) done, \(skipped) skipped, \(failures) failed.")
        failed = failed || failures > 0
      }
      for answer in await (unasked ?? asked)?.value ?? [] {
        switch answer.result {
        case .success(let out):
          print(Fleet.section(answer.host, out.stdout), terminator: "")
          if !out.stderr.isEmpty { Terminal.error(out.stderr.trimmingCharacters(in: .newlines)) }
          failed = failed || !out.succeeded
        case .failure(let error):
          failed = true
          Terminal.error("wt: " + Fleet.leftAlone(error))
        }
      }
      return failed
    }
  }

  /// The manifest `apply --watch` works from, shared by this machine's
  /// loop (which reloads it) and the hosts' loops (which send it on).
  actor CurrentManifest {
    private(set) var manifest: Manifest
    init(_ manifest: Manifest) { self.manifest = manifest }
    func set(_ manifest: Manifest) { self.manifest = manifest }
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
      // Parsed, not made with Apply(): every option then has its default,
      // including ones added later (reading one never set traps).
      var apply = try Apply.parse([])
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
