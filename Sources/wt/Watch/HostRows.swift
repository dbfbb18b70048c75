import Foundation
import Manifest
import Reconciler

/// The workers of every host, for `wt watch`: asked in the background
/// every `interval`, so a slow or lost host never freezes the table or its
/// keys. Each host's link (the manifest delivered there) is kept until it
/// fails or the manifest changes.
final class HostRows: @unchecked Sendable {
  private let lock = NSLock()
  private var rows: [WorkerStatus] = []
  private var problems: [String] = []
  private var links: [String: HostLink] = [:]
  private var manifest: Manifest
  private let environment: WTEnvironment
  private(set) var version = 0
  private var task: Task<Void, Never>?

  init(manifest: Manifest, environment: WTEnvironment) {
    self.manifest = manifest
    self.environment = environment
  }

  deinit { task?.cancel() }

  var snapshot: (rows: [WorkerStatus], problems: [String], version: Int) {
    lock.withLock { (rows, problems, version) }
  }

  /// The link to `host`, for Enter on one of its rows.
  func link(_ host: String) -> HostLink? { lock.withLock { links[host] } }

  func use(_ manifest: Manifest) {
    lock.withLock {
      if manifest != self.manifest { links = [:] }
      self.manifest = manifest
    }
  }

  func start(every interval: Double) {
    guard task == nil else { return }
    task = Task { [weak self] in
      while !Task.isCancelled {
        guard let self else { return }
        await self.refresh()
        try? await Task.sleep(for: .milliseconds(Int(interval * 1000)))
      }
    }
  }

  func refresh() async {
    let manifest = lock.withLock { self.manifest }
    let state = environment.stateDirectory
    let hosts = manifest.projectsByHost.map(\.host)
    let known = lock.withLock { links }
    let answers = await concurrentMap(hosts) { host -> (String, Result<[WorkerStatus], Error>, HostLink?) in
      do {
        let link: HostLink
        if let cached = known[host.name] { link = cached } else {
          link = try await HostLink.connect(host, manifest: manifest, stateDirectory: state, runner: ProcessRunner())
        }
        return (host.name, .success(try await link.workers()), link)
      } catch {
        return (host.name, .failure(error), nil)
      }
    }
    let reached = answers.compactMap { name, result, _ in (try? result.get()) != nil ? name : nil }
    let seen = answers.flatMap { (try? $0.1.get()) ?? [] }
    if !reached.isEmpty { Fleet.remember(seen, reached: reached, manifest: manifest, environment: environment) }
    lock.withLock {
      var rows: [WorkerStatus] = []
      var problems: [String] = []
      for (name, result, link) in answers {
        switch result {
        case .success(let theirs): rows += theirs
        case .failure(let error): problems.append(Fleet.leftAlone(error))
        }
        links[name] = link
      }
      if rows != self.rows || problems != self.problems { version += 1 }
      self.rows = rows
      self.problems = problems
    }
  }
}
