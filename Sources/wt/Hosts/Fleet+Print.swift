import ArgumentParser
import Foundation
import Manifest
import Reconciler

extension Fleet {
  /// Links to the hosts that run a project of `projects` (all when
  /// empty), with this process's state folder.
  static func connect(_ manifest: Manifest, projects: [String] = [], environment: WTEnvironment) async -> Fleet {
    await connect(manifest, projects: projects, stateDirectory: environment.stateDirectory)
  }

  /// Remembers the hosts' workers with this process's environment.
  static func remember(_ rows: [WorkerStatus], reached: [String], manifest: Manifest, environment: WTEnvironment) {
    remember(rows, reached: reached, manifest: manifest, environment: environment.variables)
  }

  /// A list command's rows, from here and the hosts: JSON, or a line each
  /// (`empty` when there are none); a host that did not answer is said on
  /// stderr and makes the exit status 1, since the list is not whole.
  static func printList<Row: Codable & Sendable>(
    _ key: String, _ rows: [Row], problems: [String], json: Bool, empty: String, line: (Row) -> String
  ) throws {
    if json {
      try printJSON(key, rows)
    } else if rows.isEmpty {
      print(empty)
    } else {
      for row in rows { Terminal.line(line(row)) }
    }
    for problem in problems { Terminal.error("wt: \(problem)") }
    if !problems.isEmpty { throw ExitCode.failure }
  }
}
