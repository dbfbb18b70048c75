import Foundation
import Manifest

/// The hosts one command reaches: each linked once (the manifest delivered,
/// the protocol checked), then asked in parallel. A host that cannot be
/// reached, or does not answer within its timeout, is reported and left
/// alone; the others and this machine go on.
public struct Fleet: Sendable {
  public typealias Answer = (host: RemoteHost, result: Result<CommandOutput, Error>)

  public var links: [(host: RemoteHost, link: Result<HostLink, Error>)]
  /// Counts the calls to hosts (ssh, kubectl, podman), for the benchmarks (`WT_CALL_STATS=1`).
  public var runner: ProcessRunner

  public init(links: [(host: RemoteHost, link: Result<HostLink, Error>)], runner: ProcessRunner) {
    self.links = links
    self.runner = runner
  }

  /// Links to the hosts that run a project of `projects` (all when empty).
  public static func connect(_ manifest: Manifest, projects: [String] = [], stateDirectory: String) async -> Fleet {
    let runner = ProcessRunner()
    return Fleet(
      links: await HostLink.connectAll(manifest, projects: projects, stateDirectory: stateDirectory, runner: runner),
      runner: runner)
  }

  /// `body` for every linked host at once (nil: nothing to say there),
  /// in the hosts' order; a host that failed to link answers with that
  /// failure.
  public func each<Value: Sendable>(
    _ body: @escaping @Sendable (HostLink) async throws -> Value?
  ) async -> [(host: RemoteHost, result: Result<Value, Error>)] {
    let answers = await concurrentMap(links) { entry -> Result<Value, Error>? in
      do {
        return try await body(try entry.link.get()).map { .success($0) }
      } catch {
        return .failure(error)
      }
    }
    return zip(links, answers).compactMap { entry, answer in answer.map { (entry.host, $0) } }
  }

  /// Runs `wt ARGS` on every linked host at once; `arguments` says what
  /// for each (nil: nothing there). `timeout` defaults to each host's own.
  public func run(
    timeout: Duration? = nil, _ arguments: @escaping @Sendable (HostLink) -> [String]?
  ) async -> [Answer] {
    await each { link in
      guard let args = arguments(link) else { return nil }
      return try await link.wt(args, timeout: timeout)
    }
  }

  /// Every host's rows of a `--json` list (`status`, `ready`, `queue`),
  /// each marked with its host, and a line for each host that could not
  /// be asked.
  public func rows<Row: Codable & Sendable>(
    _ arguments: [String], key: String, marking host: WritableKeyPath<Row, String?> & Sendable
  ) async -> (rows: [Row], problems: [String], reached: [String]) {
    var rows: [Row] = []
    var problems: [String] = []
    var reached: [String] = []
    for answer in await each({ link in
      try await link.list(arguments, key: key, as: Row.self).map { var row = $0; row[keyPath: host] = link.host.name; return row }
    }) {
      switch answer.result {
      case .success(let theirs):
        rows += theirs
        reached.append(answer.host.name)
      case .failure(let error): problems.append(Fleet.leftAlone(error))
      }
    }
    return (rows, problems, reached)
  }

  /// Remembers what the hosts' workers show (for the status line) and
  /// tells this machine's `notify` of each that newly needs a person.
  public static func remember(_ rows: [WorkerStatus], reached: [String], manifest: Manifest, environment: [String: String]) {
    let state = StateStore.directory(environment: environment)
    guard let told = try? HostNotices(directory: state).record(rows, reached: reached) else { return }
    let notifier = Notifier(environment: environment)
    for row in told { notifier.notify(row, manifest: manifest) }
  }

  /// `--project` filters that belong to `host` (none: all of its projects).
  public static func projectArguments(_ filter: [String], host: RemoteHost, manifest: Manifest) -> [String] {
    let mine = Set(manifest.remoteProjects.filter { $0.host == host.name }.map(\.name))
    return filter.filter(mine.contains).flatMap { ["--project", $0] }
  }

  /// What a failed answer says: the host is left alone.
  public static func leftAlone(_ error: Error) -> String {
    if error is HostSuspended { return "\(describe(error)) (it runs nothing until it is resumed)" }
    return "\(describe(error)); not observed, its workers are left alone"
  }
}
