import ArgumentParser
import Foundation
import Manifest
import Reconciler

extension WT {
  struct HostCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "host",
      abstract: "Hosts that run projects over SSH or exec: list them, install wt on one, print one as Kubernetes objects.",
      discussion: discussion(example: "$ wt host install build-box && wt host list"),
      subcommands: [List.self, Install.self, PrintManifest.self, Receive.self])

    struct List: AsyncParsableCommand {
      static let configuration = CommandConfiguration(
        commandName: "list", abstract: "Every host in wt.yaml, its projects, and whether its wt answers.",
        discussion: discussion(example: "$ wt host list --json | jq -r '.hosts[] | select(.reachable != true) | .name'"))

      @OptionGroup var options: ManifestOptions
      @Flag(help: "Only what wt.yaml says; do not connect.") var offline = false
      @OptionGroup var output: OutputOptions

      struct Row: Encodable {
        var name: String
        /// The ssh destination, or (for a host reached otherwise) the
        /// `exec` argv, a `kubernetes:` block expanded.
        var ssh: String?
        var exec: [String]?
        var suspended: Bool?
        var labels: [String]
        var projects: [String]
        var reachable: Bool?
        var version: String?
        var problem: String?
      }

      func run() async throws {
        let manifest = try await options.load()
        let state = options.environment.stateDirectory
        let links = offline ? [] : await HostLink.connectAll(manifest, stateDirectory: state, runner: ProcessRunner())
        let rows = manifest.hosts.map { host in
          var row = Row(
            name: host.name, ssh: host.exec == nil ? host.ssh : nil, exec: host.exec, suspended: host.suspended ? true : nil,
            labels: host.labels, projects: manifest.remoteProjects.filter { $0.host == host.name }.map(\.name))
          if let link = links.first(where: { $0.host.name == host.name })?.link {
            switch link {
            case .success(let l):
              row.reachable = true
              row.version = l.hello.version
            case .failure(let error):
              row.reachable = !(error is HostUnreachable || error is HostSuspended)
              row.problem = describe(error)
            }
          }
          return row
        }
        if output.isJSON { return try printJSON(ListKey.hosts, rows) }
        if rows.isEmpty { return print("No hosts in \(manifest.file); every project runs here.") }
        for row in rows {
          let state =
            row.problem.map { "  ✗ \($0)" } ?? row.version.map { "  wt \($0)" } ?? (row.projects.isEmpty ? "  (no projects)" : "")
          Terminal.line("\(row.name)  \(TerminalText.escape(manifest.host(named: row.name)?.reach ?? ""))  projects: \(row.projects.isEmpty ? "-" : row.projects.joined(separator: ", "))"
            + (row.labels.isEmpty ? "" : "  labels: \(row.labels.joined(separator: ", "))") + state)
        }
      }
    }

    struct Install: AsyncParsableCommand {
      static let configuration = CommandConfiguration(
        commandName: "install",
        abstract: "Copy this wt to a host, when the host's system and processor match this machine's.",
        discussion: discussion(
          "Installs to ~/.local/bin/wt on the host unless --to says where. wt looks there after the host's PATH; a wt put elsewhere must be named by hosts.NAME.wt.",
          example: "$ wt host install build-box"))

      @OptionGroup var options: ManifestOptions
      @Argument(help: "The host, as named under hosts: in wt.yaml.") var name: String
      @Option(help: "Where on the host (default ~/.local/bin/wt).") var to: String?

      func run() async throws {
        let manifest = try await options.load()
        guard let host = manifest.host(named: name) else {
          throw Failure("no host '\(name)' in \(manifest.file); hosts: \(manifest.hosts.map(\.name).joined(separator: ", "))")
        }
        if let to, !RemoteHost.isHostPath(to) { throw ValidationError("--to must be an absolute path or start with ~/") }
        let state = options.environment.stateDirectory
        let transport = host.transport(stateDirectory: state, runner: ProcessRunner(defaultTimeout: .seconds(120)))
        let here = Self.machine()
        let facts = try await transport.output(["uname", "-sm"])
        let there = facts.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        guard facts.succeeded, there == here else {
          Terminal.error("wt: host \(name) is '\(there)', this machine '\(here)': this wt cannot run there.")
          Terminal.error("  build wt on the host ('make install' from a checkout), or copy a build for '\(there)'")
          throw ExitCode.failure
        }
        guard let binary = CurrentPlatform().executablePath(), let bytes = FileManager.default.contents(atPath: binary) else {
          Terminal.error("wt: cannot read this wt's own binary")
          throw ExitCode.failure
        }
        // The path arrives as data ($1): `~/` is made the host's home by
        // the script, never by a shell reading the text.
        let target = to ?? "~/.local/bin/wt"
        let script = #"""
          set -e
          case "$1" in "~/"*) dest="$HOME/${1#"~/"}" ;; *) dest="$1" ;; esac
          mkdir -p -- "$(dirname -- "$dest")"
          tmp="$dest.wt-install.$$"
          cat > "$tmp"
          chmod 755 "$tmp"
          mv -f -- "$tmp" "$dest"
          "$dest" --version
          """#
        let out = try await transport.output(["sh", "-c", script, "wt-install", target], input: bytes, timeout: .seconds(300))
        guard out.succeeded else {
          Terminal.error("wt: installing on \(name) failed: \(out.stderr.trimmingCharacters(in: .whitespacesAndNewlines))")
          throw ExitCode.failure
        }
        Terminal.line("Installed wt \(out.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) on \(name) at \(target).")
        if host.wt == "wt" && to != nil {
          Terminal.line("Set 'wt: \(target)' under hosts.\(name) in wt.yaml so wt runs it there.")
        }
      }

      static func machine() -> String {
        var u = utsname()
        uname(&u)
        func text(_ field: Any) -> String {
          withUnsafeBytes(of: field) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        }
        return "\(text(u.sysname)) \(text(u.machine))"
      }
    }

    /// The other end of `HostLink.connect`: the driving wt sends the
    /// person's manifest on stdin; it is checked as this host's share of it
    /// and kept in the state folder, and the answer says where.
    struct Receive: AsyncParsableCommand {
      static let configuration = CommandConfiguration(
        commandName: "receive", abstract: "Take a manifest from the wt that drives this host (used by wt itself).",
        shouldDisplay: false)

      @Option(help: "The copy's name.") var name: String

      func run() async throws {
        // This command reads no manifest option: its entry takes the
        // environment itself.
        let environment = WTEnvironment.process
        guard HostLink.isReceivedName(name) else { throw ValidationError("'\(name)' is not a name wt sends") }
        guard let host = environment["WT_HOST"] else {
          throw ValidationError("WT_HOST is not set: this command is run by the wt that drives this host")
        }
        let input = BoundedInput.read(fd: STDIN_FILENO, timeoutMilliseconds: 10_000, limit: YAMLParser.maxBytes + 1)
        guard input.complete, input.bytes.count <= YAMLParser.maxBytes else {
          Terminal.error("wt: the manifest did not arrive whole (over \(YAMLParser.maxBytes) bytes, or not within 10 s)")
          throw ExitCode.failure
        }
        let text = Data(input.bytes)
        let state = environment.stateDirectory
        let folder = (state as NSString).appendingPathComponent("received")
        let file = (folder as NSString).appendingPathComponent("\(name).yaml")
        let candidate = file + ".new"
        do {
          try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
          guard FileManager.default.createFile(atPath: candidate, contents: text, attributes: [.posixPermissions: 0o600]) else {
            throw CocoaError(.fileWriteNoPermission)
          }
        } catch {
          Terminal.error("wt: cannot keep the manifest in \(folder): \(describe(error))")
          throw ExitCode.failure
        }
        // Checked before it replaces the copy running workers read.
        // Named as the person knows it: their wt.yaml, as this host reads it.
        let result = ManifestLoader(environment: environment.variables).load(file: candidate, named: true, standingFor: "wt.yaml (on \(host))")
        for d in result.diagnostics { Terminal.error(d.description) }
        guard result.manifest != nil else {
          try? FileManager.default.removeItem(atPath: candidate)
          throw ExitCode.failure
        }
        guard rename(candidate, file) == 0 else {
          Terminal.error("wt: cannot keep the manifest at \(file): \(String(cString: strerror(errno)))")
          throw ExitCode.failure
        }
        let parts = Install.machine().split(separator: " ", maxSplits: 1).map(String.init)
        let hello = HostHello(
          version: Version.description, manifest: file, stateDir: state, os: parts.first ?? "?", arch: parts.last ?? "?")
        try printJSON(hello)
      }
    }
  }
}
