import ArgumentParser
import Foundation
import Manifest
import Reconciler

/// The hosts one command reaches: each linked once (the manifest delivered,
/// the protocol checked), then asked in parallel. A host that cannot be
/// reached, or does not answer within its timeout, is reported and left
/// alone; the others and this machine go on.
struct Fleet: Sendable {
  typealias Answer = (host: RemoteHost, result: Result<CommandOutput, Error>)

  var links: [(host: RemoteHost, link: Result<HostLink, Error>)]
  /// Counts the ssh calls, for the benchmarks (`WT_CALL_STATS=1`).
  var runner: ProcessRunner

  /// Links to the hosts that run a project of `projects` (all when empty).
  static func connect(_ manifest: Manifest, projects: [String] = []) async -> Fleet {
    let state = StateStore.directory(environment: ProcessInfo.processInfo.environment)
    let runner = ProcessRunner()
    return Fleet(
      links: await HostLink.connectAll(manifest, projects: projects, stateDirectory: state, runner: runner), runner: runner)
  }

  /// `body` for every linked host at once (nil: nothing to say there),
  /// in the hosts' order; a host that failed to link answers with that
  /// failure.
  func each<Value: Sendable>(
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
  /// for each (nil: nothing there).
  func run(
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
  func rows<Row: Decodable & Sendable>(
    _ arguments: [String], marking host: WritableKeyPath<Row, String?> & Sendable
  ) async -> (rows: [Row], problems: [String], reached: [String]) {
    var rows: [Row] = []
    var problems: [String] = []
    var reached: [String] = []
    for answer in await each({ link in
      try await link.json(arguments, as: [Row].self).map { var row = $0; row[keyPath: host] = link.host.name; return row }
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

  /// A list command's rows, from here and the hosts: JSON, or a line each
  /// (`empty` when there are none); a host that did not answer is said on
  /// stderr and makes the exit status 1, since the list is not whole.
  static func printList<Row: Encodable>(
    _ rows: [Row], problems: [String], json: Bool, empty: String, line: (Row) -> String
  ) throws {
    if json {
      try printJSON(rows)
    } else if rows.isEmpty {
      print(empty)
    } else {
      for row in rows { Terminal.line(line(row)) }
    }
    for problem in problems { Terminal.error("wt: \(problem)") }
    if !problems.isEmpty { throw ExitCode.failure }
  }

  /// Remembers what the hosts' workers show (for the status line) and
  /// tells this machine's `notify` of each that newly needs a person.
  static func remember(_ rows: [WorkerStatus], reached: [String], manifest: Manifest) {
    let state = StateStore.directory(environment: ProcessInfo.processInfo.environment)
    guard let told = try? HostNotices(directory: state).record(rows, reached: reached) else { return }
    let notifier = Notifier(environment: ProcessInfo.processInfo.environment)
    for row in told { notifier.notify(row, manifest: manifest) }
  }

  /// `--project` filters that belong to `host` (none: all of its projects).
  static func projectArguments(_ filter: [String], host: RemoteHost, manifest: Manifest) -> [String] {
    let mine = Set(manifest.remoteProjects.filter { $0.host == host.name }.map(\.name))
    return filter.filter(mine.contains).flatMap { ["--project", $0] }
  }

  /// A host's answer under a heading, its text escaped like everything
  /// else wt shows: a host's wt is trusted to run work, not to write to
  /// the person's terminal.
  static func section(_ host: RemoteHost, _ text: String) -> String {
    let body = text.hasSuffix("\n") || text.isEmpty ? text : text + "\n"
    return "── host \(host.name) (\(host.ssh)) ──\n" + TerminalText.escape(body, keepNewlines: true)
  }

  /// What a failed answer says: the host is left alone.
  static func leftAlone(_ error: Error) -> String {
    "\(describe(error)); not observed, its workers are left alone"
  }
}
