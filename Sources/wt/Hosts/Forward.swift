import Foundation
import Manifest
import Reconciler

/// Commands about one worker, for a worker on another host: the same
/// command runs there, by that host's wt, on this terminal.
enum Forward {
  /// The host whose project `project`, or the worker `selector`, is: a
  /// project name (`--project`, or `PROJECT/BEAD`) says it at once; a bare
  /// bead id that names no worker or bead here is looked for among the
  /// hosts' workers. Nil: this machine.
  static func host(selector: String?, project: String?, context: Context) async -> RemoteHost? {
    let manifest = context.manifest
    guard !manifest.remoteProjects.isEmpty else { return nil }
    func hostOf(_ project: String) -> RemoteHost? {
      manifest.remoteProjects.first { $0.name == project }.flatMap { manifest.host(named: $0.host) }
    }
    if let project { return hostOf(project) }
    guard let selector else { return nil }
    if let slash = selector.firstIndex(of: "/") { return hostOf(String(selector[..<slash])) }
    if (try? await context.locate(selector)) != nil { return nil }
    let (rows, _, _) = await Fleet.connect(manifest, environment: context.environment).rows(["status", "--json"], key: ListKey.workers, marking: \WorkerStatus.host)
    // A host's word counts only for its own projects' workers.
    let hosts = Set(rows.filter { row in
      row.bead == selector && manifest.remoteProjects.contains { $0.name == row.project && $0.host == row.host }
    }.compactMap(\.host))
    return hosts.count == 1 ? hosts.first.flatMap(manifest.host(named:)) : nil
  }

  /// The one host whose history has sessions of `bead`, for `wt seance`
  /// with a bare bead id whose worker is gone: no host lists it among its
  /// workers any more, but the history there keeps it. A host's word
  /// counts only for its own projects' workers.
  static func hostWithSessions(of bead: String, context: Context) async -> RemoteHost? {
    let manifest = context.manifest
    guard !manifest.remoteProjects.isEmpty, !bead.contains("/") else { return nil }
    // A host with none answers with an error; only the rows matter.
    let (rows, _, _) = await Fleet.connect(manifest, environment: context.environment).rows(["seance", bead, "--json"], key: ListKey.sessions, marking: \SessionOnHost.host)
    let hosts = Set(rows.filter { row in
      manifest.remoteProjects.contains { row.worker == "\($0.name)/\(bead)" && $0.host == row.host }
    }.compactMap(\.host))
    return hosts.count == 1 ? hosts.first.flatMap(manifest.host(named:)) : nil
  }

  /// What `hostWithSessions` reads of a host's `seance --json` row.
  struct SessionOnHost: Codable, Sendable {
    var worker: String
    var host: String?
  }

  /// Replaces wt with `ssh HOST … wt ARGS` (the arguments this wt was
  /// given, less `-f FILE`: the host reads its copy of the manifest).
  static func exec(on host: RemoteHost, context: Context, arguments: [String]? = nil) async throws -> Never {
    let state = context.environment.stateDirectory
    let link = try await HostLink.connect(host, manifest: context.manifest, stateDirectory: state, runner: ProcessRunner())
    let given = arguments ?? withoutManifestOption(Array(CommandLine.arguments.dropFirst()))
    let argv = link.interactiveArguments(given, tty: Terminal.stdinIsTerminal)
    try replaceProcess(with: argv)
  }

  static func withoutManifestOption(_ arguments: [String]) -> [String] {
    var out: [String] = []
    var skipNext = false
    for (i, argument) in arguments.enumerated() {
      if skipNext {
        skipNext = false
        continue
      }
      if argument == "--" { return out + arguments[i...] }
      if argument == "-f" || argument == "--file" {
        skipNext = true
        continue
      }
      if argument.hasPrefix("--file=") || (argument.hasPrefix("-f") && !argument.hasPrefix("--")) { continue }
      out.append(argument)
    }
    return out
  }
}

extension Context {
  /// For a worker or project on another host, runs this command there and
  /// never returns; otherwise returns, and the command goes on here.
  func forwardIfRemote(worker selector: String?, project: String? = nil) async throws {
    guard let host = await Forward.host(selector: selector, project: project, context: self) else { return }
    try await Forward.exec(on: host, context: self)
  }
}
