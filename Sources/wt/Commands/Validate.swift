import ArgumentParser
import Foundation
import Manifest
import Presentation
import Reconciler

extension WT {
  struct Validate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "validate",
      abstract: "Check wt.yaml and print every problem with its position; exit 1 on an error. Changes nothing.",
      discussion: discussion(
        "Opens no connection unless --hosts is given, so CI and a fresh clone can check a file that names hosts.",
        example: "$ wt validate --json | jq -r '.diagnostics[] | \"\\(.line): \\(.message)\"'"))

    @OptionGroup var options: ManifestOptions
    @OptionGroup var output: OutputOptions
    /// Like `terraform validate`, the check opens no connection by default,
    /// so a CI job or a fresh clone can validate a file naming hosts it
    /// cannot reach.
    @Flag(help: "Also ask each host's wt to check its share of the file (paths, bases, agents there).") var hosts = false
    /// The default since hosts are asked only with --hosts; still accepted.
    @Flag(help: ArgumentHelp("Ask no host (the default).", visibility: .hidden)) var offline = false

    func validate() throws {
      if hosts && offline { throw ValidationError("--hosts and --offline contradict each other; pass one") }
    }

    struct Output: Encodable {
      struct Item: Encodable {
        var file: String
        var line: Int
        var column: Int
        var severity: String
        var message: String
        var hint: String?

        /// `hint` is null when there is none, never missing.
        func encode(to encoder: any Encoder) throws {
          var c = encoder.container(keyedBy: CodingKeys.self)
          try c.encode(file, forKey: .file)
          try c.encode(line, forKey: .line)
          try c.encode(column, forKey: .column)
          try c.encode(severity, forKey: .severity)
          try c.encode(message, forKey: .message)
          try c.encode(hint, forKey: .hint)
        }

        enum CodingKeys: String, CodingKey { case file, line, column, severity, message, hint }
      }
      var valid: Bool
      var file: String
      /// Why this file: `-f`, `$WT_CONFIG`, a worker's manifest, ./wt.yaml
      /// or the person's own.
      var why: String
      var diagnostics: [Item]
      var projects: [String]
      /// Each host's own check of its share (`wt validate` there).
      var hosts: [HostCheck]
      var commands: [Command]
      /// Agents projects use whose command is not installed here.
      var missingAgents: [MissingAgent]

      /// Problems of the machine rather than the file (e.g. `gh` missing
      /// for on_done: pr); they do not make the manifest invalid.
      var warnings: [String]
      var formatVersion = JSONOutput.formatVersion

      enum CodingKeys: String, CodingKey {
        case valid, file, why, diagnostics, projects, commands, warnings, hosts
        case missingAgents = "missing_agents"
        case formatVersion = "format_version"
      }
    }

    struct HostCheck: Encodable {
      var host: String
      var projects: [String]
      var valid: Bool
      /// What the host's wt said, or why it could not be asked.
      var output: String
    }

    /// Every host with projects checks its share where the repositories
    /// are: paths, bases, agents installed there.
    static func checkHosts(_ manifest: Manifest, environment: WTEnvironment) async -> [HostCheck] {
      let fleet = await Fleet.connect(manifest, environment: environment)
      return await fleet.run { _ in ["validate"] }.map { answer in
        let projects = manifest.remoteProjects.filter { $0.host == answer.host.name }.map(\.name)
        switch answer.result {
        case .success(let out):
          let said = [out.stdout, out.stderr].map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
          return HostCheck(host: answer.host.name, projects: projects, valid: out.succeeded, output: said.joined(separator: "\n"))
        case .failure(let error):
          // A host suspended on purpose is not a problem with the file.
          return HostCheck(host: answer.host.name, projects: projects, valid: error is HostSuspended, output: describe(error))
        }
      }
    }

    struct MissingAgent: Encodable {
      var project: String
      var agent: String
      var command: String
    }

    /// Agents a project would start whose program is not on PATH: a
    /// warning, since the manifest may be meant for another machine.
    static func missingAgents(_ m: Manifest, path: String) -> [MissingAgent] {
      m.projects.flatMap { p in
        p.agents.compactMap { name in
          guard let command = m.agents[name]?.command.first, Agents.find(command, path: path) == nil else { return nil }
          return MissingAgent(project: p.name, agent: name, command: command)
        }
      }
    }

    /// One thing a project would run, from which file, and whether the
    /// person trusts that file.
    struct Command: Encodable {
      var project: String
      var command: String
      var file: String
      var trusted: Bool
    }

    /// Every command each project will run. A repository's own file counts
    /// as trusted only once the person ran `wt trust` on its content.
    static func commands(_ m: Manifest) -> [Command] {
      m.projects.flatMap { p in
        let source = p.foreign ?? m.foreign
        return p.commandsToRun.map { c in
          let fromRepository = source.map { $0.commands.contains(c) || $0.commands.contains("\(p.name) \(c)") } ?? false
          return Command(
            project: p.name, command: c, file: fromRepository ? source!.path : m.file,
            trusted: !fromRepository || source!.trusted)
        }
      }
    }

    func run() async throws {
      let found = try options.found()
      let path = found.path
      var result = await RepositoryCheck.check(
        found.loader(ManifestLoader(environment: options.environment.variables)).load(file: path, named: found.named), git: Git(runner: ProcessRunner()))
      // Before anything starts: a sandbox this machine cannot run.
      result = await SandboxCheck.check(result, runner: ProcessRunner())
      let store = TrustStore(directory: options.environment.stateDirectory)
      result.manifest = try result.manifest.map { try store.marking($0) }
      let warnings = await Self.toolWarnings(result.manifest)
      // A file not yet trusted names hosts nobody agreed to connect to.
      var checks: [HostCheck] = []
      if hosts, let m = result.manifest, m.foreign?.needsTrust != true, !m.remoteProjects.isEmpty {
        checks = await Self.checkHosts(m, environment: options.environment)
      }
      if output.isJSON {
        try printJSON(
          Output(
            valid: result.manifest != nil, file: path, why: found.why,
            diagnostics: result.diagnostics.map {
              .init(
                file: $0.file, line: $0.mark.line, column: $0.mark.column, severity: $0.severity.rawValue,
                message: $0.message, hint: $0.hint)
            },
            projects: result.manifest?.projects.map(\.name) ?? [], hosts: checks,
            commands: result.manifest.map(Self.commands) ?? [],
            missingAgents: result.manifest.map { Self.missingAgents($0, path: options.environment.path) } ?? [], warnings: warnings))
      } else {
        Terminal.line("reading \(path): \(found.why)")
        for d in result.diagnostics { Terminal.error(d.description) }
        for w in warnings { Terminal.error("\(path): warning: \(w)") }
        if let m = result.manifest {
          for a in Self.missingAgents(m, path: options.environment.path) {
            Terminal.error(
              "\(m.file): warning: project '\(a.project)': agent '\(a.agent)' runs '\(TerminalText.escape(a.command))', which is not installed here (not found on PATH); see 'wt agents'")
          }
          print(Self.summary(m))
          if let foreign = m.foreign, foreign.needsTrust { Terminal.line("  \(foreign.refusal)") }
          for p in m.projects { if let f = p.foreign, f.needsTrust { Terminal.line("  \(p.name): \(f.refusal)") } }
          for c in Self.commands(m) {
            Terminal.line("  \(c.project): \(c.command)" + (c.trusted ? "" : "  (not trusted yet: wt trust \(c.file))"))
          }
          for host in m.projectsByHost.map(\.host) where !hosts || m.foreign?.needsTrust == true {
            Terminal.line("host \(host.name) (\(TerminalText.escape(host.reach))): not asked" + (hosts ? " (the file is not trusted)" : "; --hosts asks it"))
          }
          for check in checks {
            print(Fleet.section(m.host(named: check.host)!, check.output), terminator: "")
          }
        }
      }
      if checks.contains(where: { !$0.valid }) { throw ExitCode.failure }
      if result.manifest == nil {
        if !output.isJSON {
          let count = result.diagnostics.filter { $0.severity == .error }.count
          Terminal.error("\(count) error\(count == 1 ? "" : "s") in \(path)")
        }
        throw ExitCode.failure
      }
    }


    /// What `on_done: pr` will need when a worker finishes: checked now, so
    /// nobody learns at the end of a bead that `gh` is missing.
    static func toolWarnings(_ manifest: Manifest?) async -> [String] {
      var warnings: [String] = []
      for project in manifest?.projects ?? [] where project.onDone.opensPullRequest {
        for problem in await PullRequestTools.problems(repo: project.path, runner: ProcessRunner()) {
          warnings.append("project '\(project.name)' has on_done: \(project.onDone.rawValue), but \(problem)")
        }
      }
      return warnings
    }

    static func summary(_ m: Manifest) -> String {
      let names = m.projects.map(\.name).joined(separator: ", ")
      let workers = m.projects.reduce(0) { $0 + $1.workers }
      let cap = m.settings.maxWorkers.map { min($0, workers) } ?? workers
      let agents = Set(m.projects.flatMap(\.agents)).sorted().joined(separator: ", ")
      let elsewhere = m.projectsByHost.map { "\($0.host.name) (\($0.projects.map(\.name).joined(separator: ", ")))" }
      return "\(m.file): ok — \(m.projects.count) project\(m.projects.count == 1 ? "" : "s") (\(names)), "
        + "up to \(cap) worker\(cap == 1 ? "" : "s"), agents: \(agents.isEmpty ? "none" : agents)"
        + (elsewhere.isEmpty ? "" : "; on other hosts: " + elsewhere.joined(separator: ", "))
    }
  }
}
