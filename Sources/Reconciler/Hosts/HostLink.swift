import Foundation
import Manifest

/// What a host's wt says when it receives the manifest (`wt host receive`),
/// so one round trip both delivers the file and checks the two wt agree.
public struct HostHello: Codable, Equatable, Sendable {
  /// The shape of what the two wt send each other: `wt host receive`, the
  /// JSON of `diff`, `status` and `queue`, and the variables below. Raised
  /// when any of them changes incompatibly.
  public static let currentProtocol = 2

  public var `protocol`: Int
  public var version: String
  /// The manifest's copy on the host.
  public var manifest: String
  public var stateDir: String
  public var os: String
  public var arch: String

  enum CodingKeys: String, CodingKey {
    case `protocol`, version, manifest, os, arch
    case stateDir = "state_dir"
  }

  public init(version: String, manifest: String, stateDir: String, os: String, arch: String) {
    self.protocol = Self.currentProtocol
    self.version = version
    self.manifest = manifest
    self.stateDir = stateDir
    self.os = os
    self.arch = arch
  }
}

/// A host's wt with the person's manifest delivered to it: everything wt
/// does for a project on that host goes through here.
public struct HostLink: Sendable {
  public var host: RemoteHost
  public var transport: any HostTransport
  public var hello: HostHello

  /// The variables that make the host's wt see the manifest as this host's
  /// share of it; its workers carry them too.
  public var environment: [String: String] {
    var env = ["WT_HOST": host.name, "WT_CONFIG": hello.manifest]
    env["WT_STATE_DIR"] = host.stateDir
    // The benchmarks count the host's own calls too. A switch for the
    // whole process, so every link (however the command made it) carries
    // it without each caller passing it along.
    if WTEnvironment.process.countsCalls { env["WT_CALL_STATS"] = "1" }
    return env
  }

  /// Runs `wt ARGS` on the host. `timeout` defaults to the host's.
  public func wt(_ arguments: [String], input: Data? = nil, timeout: Duration? = nil) async throws -> CommandOutput {
    try await transport.output([host.wt] + arguments, environment: environment, input: input, timeout: timeout)
  }

  /// What `wt ARGS` (a `--json` command) prints there, decoded.
  /// The rows of a list `wt ARGS` (a `--json` command) prints there,
  /// under `key`. A host whose wt answers another JSON format is named and
  /// left alone, as a host speaking another protocol is.
  public func list<Row: Codable & Sendable>(_ arguments: [String], key: String, as type: Row.Type) async throws -> [Row] {
    let out = try await wt(arguments)
    let said = out.stderr.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "\n").last.map(String.init)
    guard out.succeeded else {
      throw HostRefusal(host: host.name, why: "'wt \(arguments.first ?? "")' failed there\(said.map { ": \($0)" } ?? "")")
    }
    do {
      return try JSONList<Row>.decode(out.stdout, key: key)
    } catch let skew as JSONOutput.Skew {
      throw HostRefusal(host: host.name, why: "\(skew); run 'wt host install \(host.name)'")
    } catch {
      throw HostRefusal(host: host.name, why: "'wt \(arguments.first ?? "")' answered something that is not wt's JSON")
    }
  }

  /// The host's workers (`wt status --json` there), each marked with the host.
  public func workers() async throws -> [WorkerStatus] {
    try await list(["status", "--json"], key: ListKey.workers, as: WorkerStatus.self).map {
      var row = $0
      row.host = host.name
      return row
    }
  }

  /// `ssh -t host … wt ARGS` (`kubectl exec -i -t … wt ARGS`), for a
  /// person's terminal (attach, seance); without `tty`, for a pipe.
  public func interactiveArguments(_ arguments: [String], tty: Bool = true) -> [String] {
    transport.argv([host.wt] + arguments, environment: environment, directory: nil, tty: tty)
  }

  /// Delivers the manifest and checks the host's wt speaks this one's
  /// protocol: one round trip.
  public static func connect(
    _ host: RemoteHost, manifest: Manifest, stateDirectory: String, runner: ProcessRunner
  ) async throws -> HostLink {
    // Every command reaches a host through here. A file the person has not
    // trusted must not make ssh or an `exec` program run: its `exec` words
    // are a command on this machine, its `ssh_config` (ProxyCommand, Match
    // exec) or `ssh_options` would run or connect with the person's keys,
    // whichever command happened to read it (`forget`, `trust --host`).
    if let foreign = manifest.foreign, foreign.needsTrust {
      throw HostRefusal(host: host.name, why: "not asked: " + foreign.refusal)
    }
    if host.suspended { throw HostSuspended(host: host.name) }
    let transport = host.transport(stateDirectory: stateDirectory, runner: runner)
    let text: Data
    do {
      text = try Data(contentsOf: URL(fileURLWithPath: manifest.file))
    } catch {
      throw HostRefusal(host: host.name, why: "cannot read \(manifest.file) to send it: \(describe(error))")
    }
    var env = ["WT_HOST": host.name]
    env["WT_STATE_DIR"] = host.stateDir
    let out = try await transport.output(
      [host.wt, "host", "receive", "--name", receivedName(for: manifest.file)], environment: env, input: text)
    guard out.succeeded else {
      // 126/127: env could not run it.
      if out.status == 127 || out.status == 126 {
        throw HostRefusal(
          host: host.name,
          why: "wt is not installed there ('\(host.wt)' did not run); run 'wt host install \(host.name)' or set hosts.\(host.name).wt")
      }
      let said = out.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
      if said.contains("Unexpected argument 'host'") || said.contains("unknown command") || said.contains("Unknown subcommand") {
        throw HostRefusal(host: host.name, why: "its wt is too old to take work from another machine; run 'wt host install \(host.name)'")
      }
      throw HostRefusal(host: host.name, why: "its wt refused the manifest:\n" + said)
    }
    guard let hello = try? JSONDecoder().decode(HostHello.self, from: Data(out.stdout.utf8)) else {
      throw HostRefusal(host: host.name, why: "its wt answered something that is not wt's: \(out.stdout.prefix(200))")
    }
    guard hello.protocol == HostHello.currentProtocol else {
      throw HostRefusal(
        host: host.name,
        why: "its wt \(hello.version) speaks protocol \(hello.protocol), this one \(HostHello.currentProtocol); run 'wt host install \(host.name)'")
    }
    return HostLink(host: host, transport: transport, hello: hello)
  }

  /// The name the manifest's copy has on the host: this machine and which
  /// of its manifests, so two laptops (or two manifests) never overwrite
  /// each other's.
  public static func receivedName(for file: String) -> String {
    let machine = ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? "machine"
    let safe = String(machine.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") ? $0 : "-" }.prefix(40))
    return "\(safe.isEmpty ? "machine" : safe)-\(String(format: "%08llx", SSHTransport.fnv1a(file) & 0xffff_ffff))"
  }

  /// Whether `name` is one `receivedName` makes, checked by the host
  /// before it becomes part of a path.
  public static func isReceivedName(_ name: String) -> Bool {
    !name.isEmpty && name.count <= 64 && !name.hasPrefix("-")
      && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
  }

  /// Links to every host that runs a project (of `projects`, when given),
  /// made in parallel; a host that fails is reported, not waited for.
  public static func connectAll(
    _ manifest: Manifest, projects: [String] = [], stateDirectory: String, runner: ProcessRunner
  ) async -> [(host: RemoteHost, link: Result<HostLink, Error>)] {
    let hosts = manifest.projectsByHost.filter { entry in
      projects.isEmpty || entry.projects.contains { projects.contains($0.name) }
    }.map(\.host)
    let links = await concurrentMap(hosts) { host -> Result<HostLink, Error> in
      do {
        return .success(try await connect(host, manifest: manifest, stateDirectory: stateDirectory, runner: runner))
      } catch {
        return .failure(error)
      }
    }
    return Array(zip(hosts, links)).map { (host: $0.0, link: $0.1) }
  }
}

/// A host that answered but will not take work: no wt, an old wt, or a
/// manifest its wt finds wrong.
public struct HostRefusal: Error, CustomStringConvertible, Sendable {
  public var host: String
  public var why: String
  public init(host: String, why: String) {
    self.host = host
    self.why = why
  }
  public var description: String { "host \(host): \(why)" }
}
