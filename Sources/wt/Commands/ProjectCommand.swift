import ArgumentParser
import Foundation
import Manifest
import Reconciler

extension WT {
  struct ProjectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "project", abstract: "List projects, or add one to the manifest.",
      discussion: discussion(example: "$ wt project add ~/code/web && wt project list"),
      subcommands: [List.self, Add.self])

    struct List: AsyncParsableCommand {
      static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "Projects with path, base, ready and in-progress beads, and live workers.",
        discussion: discussion(example: "$ wt project list --json | jq -r '.projects[] | \"\\(.name): \\(.ready)\"'"))

      @OptionGroup var options: ManifestOptions
      @OptionGroup var output: OutputOptions

      struct Row: Codable, Sendable {
        var name: String
        var path: String
        var base: String
        var ready: Int?
        var inProgress: Int?
        var workers: Int
        var maxWorkers: Int
        var error: String?
        /// The host it runs on; nil for this machine.
        var host: String?

        enum CodingKeys: String, CodingKey {
          case name, path, base, ready, workers, error, host
          case inProgress = "in_progress"
          case maxWorkers = "max_workers"
        }

        /// bd's counts are null when bd failed (`error` says why), and
        /// `error` is null when it did not; never missing.
        func encode(to encoder: any Encoder) throws {
          var c = encoder.container(keyedBy: CodingKeys.self)
          try c.encode(name, forKey: .name)
          try c.encode(path, forKey: .path)
          try c.encode(base, forKey: .base)
          try c.encode(ready, forKey: .ready)
          try c.encode(inProgress, forKey: .inProgress)
          try c.encode(workers, forKey: .workers)
          try c.encode(maxWorkers, forKey: .maxWorkers)
          try c.encode(error, forKey: .error)
          try c.encodeIfPresent(host, forKey: .host)
        }
      }

      func run() async throws {
        let context = try await Context(glance: options)
        let manifest = context.manifest
        async let hosts = manifest.remoteProjects.isEmpty
          ? ([], [], []) : await Fleet.connect(manifest, environment: options.environment).rows(["project", "list", "--json"], key: ListKey.projects, marking: \Row.host)
        let observed = try await context.world.observe(context.manifest)
        var rows = context.manifest.projects.map { p in
          let w = observed.projects[p.name]
          let live = Set(observed.panes.filter { $0.isWorker && $0.project == p.name }.map(\.session)).count
          return Row(
            name: p.name, path: p.path, base: p.base, ready: w?.error == nil ? w?.ready.count : nil,
            inProgress: w?.error == nil ? w?.unclosed.filter { $0.status == .inProgress }.count : nil,
            workers: live, maxWorkers: p.workers, error: w?.error)
        }
        let (remote, hostProblems, _) = await hosts
        let problems = context.problems + hostProblems
        rows += remote
        // A host not reached still lists its projects, as wt.yaml says them.
        for p in manifest.remoteProjects where !rows.contains(where: { $0.name == p.name }) {
          rows.append(Row(name: p.name, path: p.path, base: "?", workers: 0, maxWorkers: 0, error: "host \(p.host) not reached", host: p.host))
        }
        try Fleet.printList(ListKey.projects, rows, problems: problems, json: output.isJSON, empty: "No projects.") { r in
          let beads = r.error.map { "bd: \($0)" } ?? "\(r.ready ?? 0) ready, \(r.inProgress ?? 0) in progress"
          let host = r.host.map { "\($0):" } ?? ""
          return "\(r.name)  \(host)\(r.path)  base \(r.base)  \(beads)  workers \(r.workers)/\(r.maxWorkers)"
        }
      }
    }

    struct Add: AsyncParsableCommand {
      static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Append a project entry to the manifest, leaving the rest of the file byte for byte.",
        discussion: discussion(example: "$ wt project add ~/code/web-app --name web"))

      @OptionGroup var options: ManifestOptions
      @Argument(help: "The repository's path.") var path: String
      @Option(help: "The project's name (default: the folder's name).") var name: String?

      func run() async throws {
        let loader = ManifestLoader(environment: options.environment.variables)
        let file = try options.locate()
        let absolute = CanonicalPath.of(
          PathResolver(home: NSHomeDirectory(), directory: FileManager.default.currentDirectoryPath).resolve(path))
        // The base is written down, so the entry says what wt will do and
        // does not change meaning when the checkout moves to another branch.
        let git = Git(runner: ProcessRunner())
        guard let facts = try await git.facts(of: absolute) else {
          Terminal.error("wt: \(absolute) is not the top folder of a git repository; name the repository's top folder, or run 'git init' there")
          throw ExitCode.failure
        }
        guard let base = facts.defaultBranch else {
          Terminal.error(
            "wt: cannot tell the default branch of \(absolute): origin/HEAD is not set and the checkout is on "
              + "\(facts.checkedOut.map { "'\($0)'" } ?? "no branch"); add the project by hand with 'base:'")
          throw ExitCode.failure
        }
        let projectName = name ?? (absolute as NSString).lastPathComponent
        for other in loader.load(file: file).manifest?.projects ?? [] {
          if try await git.facts(of: CanonicalPath.of(other.path))?.commonDir == facts.commonDir {
            Terminal.error("wt: \(absolute) is the same repository as project '\(other.name)'; one project per repository")
            throw ExitCode.failure
          }
        }
        let original: String
        do { original = try String(contentsOfFile: file, encoding: .utf8) } catch {
          Terminal.error("wt: cannot read \(file): \(describe(error))")
          throw ExitCode.failure
        }
        let updated: String
        do {
          updated = try ManifestEditor.addingProject(name: projectName, path: absolute, base: base, to: original)
        } catch {
          Terminal.error("wt: \(error)")
          throw ExitCode.failure
        }
        do {
          // Checked as the new file before it replaces the old, so the
          // manifest is never worse than it was, not even for a moment.
          try ManifestFile.replace(file, with: updated) { draft, file in
            let result = loader.load(file: draft, standingFor: file)
            for d in result.diagnostics where d.severity == .error { Terminal.error(d.description) }
            return result.manifest != nil
          }
        } catch {
          Terminal.error("wt: \(describe(error)); \(file) is unchanged")
          throw ExitCode.failure
        }
        print("added project '\(projectName)' (\(absolute), base \(base)) to \(file)")
      }
    }
  }
}
