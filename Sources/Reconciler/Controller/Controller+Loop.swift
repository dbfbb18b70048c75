import Foundation
import Manifest

/// What the loop tells the command line as it goes; the command line
/// prints it and nothing else.
public enum LoopEvent: Sendable {
  /// This machine's plan, before it is applied.
  case planned(PassPreview)
  /// This machine's pass is over.
  case passed(PassReport)
  /// This machine's pass could not run (a failing bd, a restarting tmux):
  /// survived, and tried again after `retryIn`.
  case passFailed(String, retryIn: Duration)
  /// A host's pass: what its wt printed.
  case hostPassed(RemoteHost, CommandOutput)
  /// A host that cannot be reached or failed, said once until it changes;
  /// tried again after `retryIn`.
  case hostProblem(RemoteHost, String, retryIn: Duration)
  case hostBack(RemoteHost)
  /// wt.yaml was saved with errors, or untrusted: the loop goes on with
  /// the last valid one.
  case manifestKept
}

/// The manifest the loop works from, shared by this machine's loop (which
/// reloads it) and the hosts' loops (which send it on).
actor CurrentManifest {
  private(set) var manifest: Manifest
  init(_ manifest: Manifest) { self.manifest = manifest }
  func set(_ manifest: Manifest) { self.manifest = manifest }
}

extension Controller {
  /// Passes until the task is cancelled: this machine's on every change
  /// (a hook's event, wt.yaml saved), at `interval`, or sooner when a pass
  /// re-queues something; each host's in a loop of its own, so a slow or
  /// lost host never holds up this machine's passes or another host's.
  /// `reload` reads wt.yaml again after it was saved (nil: keep the last).
  public func run(
    _ manifest: Manifest, interval: Duration, reload: @escaping @Sendable () async -> Manifest?,
    report: @escaping @Sendable (LoopEvent) -> Void
  ) async {
    let controller = unattendedCopy
    let current = CurrentManifest(manifest)
    await withTaskGroup(of: Void.self) { group in
      group.addTask { await controller.localLoop(current, interval: interval, reload: reload, report: report) }
      // A host added to wt.yaml while the loop runs gets a loop of its own
      // once the edit is loaded; one removed idles in its loop.
      var started = Set<String>()
      while !Task.isCancelled {
        for host in await current.manifest.projectsByHost.map(\.host.name) where started.insert(host).inserted {
          group.addTask { await controller.hostLoop(host, current, interval: interval, report: report) }
        }
        try? await Task.sleep(for: .seconds(1))
      }
    }
  }

  /// How long the loop waits after a pass: the soonest re-queue, else the
  /// interval.
  static func wait(after report: PassReport, interval: Duration) -> Duration {
    min(report.nextRequeue?.after ?? interval, interval)
  }

  /// The next wait after `failures` passes in a row failed: twice as long
  /// each time, up to 5 min.
  static func backoff(_ failures: Int, interval: Duration) -> Duration {
    min(interval * (1 << min(failures, 16)), .seconds(300))
  }

  func localLoop(
    _ current: CurrentManifest, interval: Duration, reload: @Sendable () async -> Manifest?,
    report: @escaping @Sendable (LoopEvent) -> Void
  ) async {
    var manifest = await current.manifest
    var watcher = ChangeWatcher(manifestFile: manifest.file, stateDirectory: stateDirectory)
    var failures = 0
    while !Task.isCancelled {
      var wait = interval
      do {
        let done = try await pass(manifest, hosts: false, asking: false) { preview in
          report(.planned(preview))
          return true
        }
        report(.passed(done))
        failures = 0
        wait = Self.wait(after: done, interval: interval)
      } catch {
        failures += 1
        wait = Self.backoff(failures, interval: interval)
        report(.passFailed(describe(error), retryIn: wait))
      }
      await watcher.waitForChange(orAfter: wait)
      if watcher.manifestWasSaved() {
        if let reloaded = await reload() {
          manifest = reloaded
          await current.set(reloaded)
        } else {
          report(.manifestKept)
        }
      }
    }
  }

  /// One host's share of the loop: its wt waits there for a change (or
  /// the interval), makes a pass, and answers; the manifest is delivered
  /// again each time, so an edit reaches the host on the next pass. A host
  /// that cannot be reached is said once, then tried again less and less
  /// often (up to 5 min).
  func hostLoop(
    _ name: String, _ current: CurrentManifest, interval: Duration, report: @Sendable (LoopEvent) -> Void
  ) async {
    var wait = Duration.zero
    var failures = 0
    var lastProblem: String?
    while !Task.isCancelled {
      let manifest = await current.manifest
      let filter = options.projects
      guard let host = manifest.host(named: name),
        manifest.remoteProjects.contains(where: { $0.host == name && (filter.isEmpty || filter.contains($0.name)) })
      else {
        try? await Task.sleep(for: interval)
        continue
      }
      do {
        let link = try await HostLink.connect(host, manifest: manifest, stateDirectory: stateDirectory, runner: ProcessRunner())
        let arguments = ["apply", "--pass-after", Self.seconds(wait)] + remoteArguments(host, manifest)
        let out = try await link.wt(arguments, timeout: wait + hostPassBudget)
        if lastProblem != nil { report(.hostBack(host)) }
        lastProblem = nil
        report(.hostPassed(host, out))
        // Unattended, this is the look that tells a person a worker there
        // needs them (this machine's notify; the host runs none).
        if let workers = try? await link.workers() {
          Fleet.remember(workers, reached: [name], manifest: manifest, environment: environment)
        }
        wait = interval
        failures = 0
      } catch {
        failures += 1
        let retry = Self.backoff(failures - 1, interval: interval)
        let problem = Fleet.leftAlone(error)
        if problem != lastProblem { report(.hostProblem(host, problem, retryIn: retry)) }
        lastProblem = problem
        try? await Task.sleep(for: retry)
        wait = .zero
      }
    }
  }

  /// On a host, for the wt that drives it: waits up to `wait` for a change
  /// here (zero: none), then makes one unattended pass. What happened since
  /// the last such pass looked (a worker's `wt done` while the driving wt
  /// was away) wakes it at once.
  public func hostSidePass(
    _ manifest: Manifest, after wait: Duration, planned: @escaping @Sendable (PassPreview) -> Void
  ) async throws -> PassReport {
    if wait > .zero {
      var watcher = ChangeWatcher(
        manifestFile: manifest.file, stateDirectory: stateDirectory,
        eventsSeen: ChangeWatcher.readHostPassMark(stateDirectory: stateDirectory))
      await watcher.waitForChange(orAfter: wait)
    }
    // Marked as the pass looks: what happens during it (a worker that
    // finishes at once) wakes the next one.
    ChangeWatcher.writeHostPassMark(stateDirectory: stateDirectory)
    return try await unattendedCopy.pass(manifest, hosts: false, asking: false) { preview in
      planned(preview)
      return true
    }
  }

  var unattendedCopy: Controller {
    var copy = self
    copy.unattended = true
    return copy
  }

  /// Seconds as `--pass-after` takes them.
  static func seconds(_ duration: Duration) -> String {
    let (s, attoseconds) = duration.components
    return String(Double(s) + Double(attoseconds) / 1e18)
  }
}
