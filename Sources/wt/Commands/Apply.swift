import ArgumentParser
import Foundation
import Logging
import Manifest
import Presentation
import Reconciler

extension WT {
  struct Apply: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "apply",
      abstract: "Make the world match wt.yaml: start, prompt, restart and tear down workers.",
      discussion: discussion(
        """
        Shows the plan and asks first when run from a terminal; without a terminal it needs --yes.
        With --watch it reconciles again whenever a bead, a worker or wt.yaml changes, and at a steady interval.
        """,
        example: "$ wt apply --project api --yes"))

    @OptionGroup var options: ManifestOptions
    @OptionGroup var plan: PlanArguments
    @Flag(name: .shortAndLong, help: "Apply without asking.") var yes = false
    @Flag(help: "Keep reconciling until interrupted.") var watch = false
    @Option(help: "Seconds between passes with --watch when nothing changes (0.5 to 86400).", transform: intervalSeconds)
    var interval: Double = 30
    /// On a host, for the wt that drives it: wait up to this many seconds
    /// for a change here (0: none), then make one unattended pass.
    @Option(help: ArgumentHelp(visibility: .private), transform: intervalOrZero) var passAfter: Double?

    func run() async throws {
      interruptsExit()
      if !yes && !Terminal.stdinIsTerminal && passAfter == nil {
        Terminal.error("wt: not asking without a terminal; pass --yes to apply the plan as shown by 'wt diff'")
        throw ExitCode.failure
      }
      let manifest = try await options.load()
      try plan.check(manifest)
      var controller = plan.controller(environment: options.environment)
      controller.logger.logLevel = options.environment.logLevel.flatMap { Logger.Level(rawValue: $0) } ?? .warning
      if let wait = passAfter {
        let report = try await Self.locked {
          try await controller.hostSidePass(manifest, after: .seconds(wait)) { Self.show($0, unattended: true) }
        }
        Self.show(report)
        if report.failed { throw ExitCode.failure }
        return
      }
      if watch {
        let options = self.options
        await controller.run(manifest, interval: .seconds(interval), reload: { try? await options.load() }) {
          Self.show($0)
        }
        return
      }
      let asking = !yes
      let report = try await Self.locked {
        try await controller.pass(manifest, hosts: !manifest.remoteProjects.isEmpty, asking: asking) { preview in
          Self.show(preview, unattended: false)
          return !asking || Self.confirm(preview)
        }
      }
      Self.show(report)
      if report.failed { throw ExitCode.failure }
    }

    /// Another apply holding the lock past the wait is said in one line.
    static func locked(_ body: () async throws -> PassReport) async throws -> PassReport {
      do {
        return try await body()
      } catch let busy as ApplyLock.Busy {
        Terminal.error("wt: \(busy)")
        throw ExitCode.failure
      }
    }

    /// Asks a person; only `yes` applies.
    static func confirm(_ preview: PassPreview) -> Bool {
      guard preview.hasChanges else { return false }
      print("Apply this plan? Only 'yes' is accepted: ", terminator: "")
      guard readLine()?.trimmingCharacters(in: .whitespaces) == "yes" else {
        print("Nothing applied.")
        return false
      }
      return true
    }

    /// The plans: each host's (when a person is asked), then this
    /// machine's; an empty one is not shown to nobody.
    static func show(_ preview: PassPreview, unattended: Bool) {
      for answer in preview.hosts {
        switch answer.result {
        case .success(let out): print(Fleet.section(answer.host, out.stdout))
        case .failure(let error): Terminal.error("wt: " + Fleet.leftAlone(error))
        }
      }
      if preview.includesLocal && !(preview.plan.isEmpty && unattended) {
        print(preview.plan.rendered(color: Terminal.useColor), terminator: "")
      }
    }

    /// What a pass did here, a line a change, then what each host said.
    static func show(_ report: PassReport) {
      if !report.steps.isEmpty {
        for step in report.steps {
          let head = "\(step.action.rawValue) \(step.worker): "
          switch step.outcome {
          case .done(let text): Terminal.line(head + text)
          case .skipped(let text): Terminal.line(head + "skipped: " + text)
          case .failed(let text): Terminal.error(head + "failed: " + text)
          }
        }
        let failures = report.count { if case .failed = $0 { true } else { false } }
        let skipped = report.count { if case .skipped = $0 { true } else { false } }
        print("Apply: \(report.steps.count - failures - skipped) done, \(skipped) skipped, \(failures) failed.")
      }
      for answer in report.hosts {
        switch answer.result {
        case .success(let out):
          print(Fleet.section(answer.host, out.stdout), terminator: "")
          if !out.stderr.isEmpty { Terminal.error(out.stderr.trimmingCharacters(in: .newlines)) }
        case .failure(let error):
          Terminal.error("wt: " + Fleet.leftAlone(error))
        }
      }
    }

    /// What the loop says as it goes.
    static func show(_ event: LoopEvent) {
      defer { Interrupts.endIfReaderGone() }
      switch event {
      case .planned(let preview): show(preview, unattended: true)
      case .passed(let report): show(report)
      case .passFailed(let why, let retry): Terminal.error("wt: \(why); retrying in \(Int(retry.components.seconds)) s")
      case .hostPassed(let host, let out):
        if !out.stdout.isEmpty { print(Fleet.section(host, out.stdout), terminator: "") }
        if !out.stderr.isEmpty { Terminal.error(Fleet.section(host, out.stderr)) }
      case .hostProblem(_, let problem, _): Terminal.error("wt: \(problem); trying again")
      case .hostBack(let host): Terminal.error("wt: host \(host.name) answers again")
      case .manifestKept: Terminal.error("wt: wt.yaml has errors or is not trusted; still working from the last valid version")
      }
    }
  }

  struct Auto: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "auto",
      abstract: "Work through the backlog unattended: 'wt apply --watch --yes'.",
      discussion: discussion(example: "$ wt auto --interval 60 2>&1 | tee -a wt-auto.log"))

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

/// Ctrl-C ends wt with status 130 (SIGTERM 143, SIGHUP 129). Every apply
/// step is idempotent and state is written atomically, so the next apply
/// finishes what this one began.
func interruptsExit() {
  Interrupts.install(advice: "run 'wt apply' again to finish")
}
