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

  var isEmpty: Bool { links.isEmpty }

  /// Runs `wt ARGS` on every linked host at once; `arguments` says what
  /// for each (nil: nothing there). A host that failed to link answers
  /// with that failure.
  func run(
    timeout: Duration? = nil, _ arguments: @escaping @Sendable (HostLink) -> [String]?
  ) async -> [Answer] {
    await withTaskGroup(of: (Int, Result<CommandOutput, Error>?).self) { group in
      for (i, entry) in links.enumerated() {
        group.addTask {
          switch entry.link {
          case .failure(let error): return (i, .failure(error))
          case .success(let link):
            guard let args = arguments(link) else { return (i, nil) }
            do { return (i, .success(try await link.wt(args, timeout: timeout))) } catch { return (i, .failure(error)) }
          }
        }
      }
      var answers: [(Int, Result<CommandOutput, Error>)] = []
      for await (i, result) in group { if let result { answers.append((i, result)) } }
      return answers.sorted { $0.0 < $1.0 }.map { (links[$0.0].host, $0.1) }
    }
  }

  /// Every host's rows of a `--json` list (`status`, `ready`, `queue`),
  /// each marked with its host, and a line for each host that could not
  /// be asked.
  func rows<Row: Decodable & Sendable>(
    _ arguments: [String], marking host: WritableKeyPath<Row, String?> & Sendable
  ) async -> (rows: [Row], problems: [String], reached: [String]) {
    let answers = await withTaskGroup(of: (Int, Result<[Row], Error>).self) { group in
      for (i, entry) in links.enumerated() {
        group.addTask {
          do {
            let link = try entry.link.get()
            let rows = try await link.json(arguments, as: [Row].self)
            return (i, .success(rows.map { var row = $0; row[keyPath: host] = link.host.name; return row }))
          } catch {
            return (i, .failure(error))
          }
        }
      }
      var out: [(Int, Result<[Row], Error>)] = []
      for await answer in group { out.append(answer) }
      return out.sorted { $0.0 < $1.0 }.map(\.1)
    }
    var rows: [Row] = []
    var problems: [String] = []
    var reached: [String] = []
    for (i, answer) in answers.enumerated() {
      switch answer {
      case .success(let theirs):
        rows += theirs
        reached.append(links[i].host.name)
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
