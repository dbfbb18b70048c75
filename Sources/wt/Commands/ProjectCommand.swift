import ArgumentParser
import Foundation
import Manifest
import Reconciler

extension WT {
  struct ProjectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "project", abstract: "List projects, or add one to the manifest.",
      subcommands: [List.self, Add.self])

    struct List: AsyncParsableCommand {
      static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "Projects with path, base, ready and in-progress beads, and live workers.")

      @OptionGroup var options: ManifestOptions
      @Flag(help: "Print JSON.") var json = false

      struct Row: Encodable {
        var name: String
        var path: String
        var base: String
        var ready: Int?
        var inProgress: Int?
        var workers: Int
        var maxWorkers: Int
        var error: String?

        enum CodingKeys: String, CodingKey {
          case name, path, base, ready, workers, error
          case inProgress = "in_progress"
          case maxWorkers = "max_workers"
        }
      }

      func run() async throws {
        let context = try Context(options)
        let observed = try await context.world.observe(context.manifest)
        let rows = context.manifest.projects.map { p in
          let w = observed.projects[p.name]
          let live = Set(observed.panes.filter { $0.isWorker && $0.project == p.name }.map(\.session)).count
          return Row(
            name: p.name, path: p.path, base: p.base, ready: w?.error == nil ? w?.ready.count : nil,
            inProgress: w?.error == nil ? w?.unclosed.filter { $0.status == "in_progress" }.count : nil,
            workers: live, maxWorkers: p.workers, error: w?.error)
        }
        if json { return try printJSON(rows) }
        for r in rows {
          let beads = r.error.map { "bd: \($0)" } ?? "\(r.ready ?? 0) ready, \(r.inProgress ?? 0) in progress"
          Terminal.line("\(r.name)  \(r.path)  base \(r.base)  \(beads)  workers \(r.workers)/\(r.maxWorkers)")
        }
      }
    }

    struct Add: AsyncParsableCommand {
      static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Append a project entry to the manifest, leaving the rest of the file byte for byte.")

      @OptionGroup var options: ManifestOptions
      @Argument(help: "The repository's path.") var path: String
      @Option(help: "The project's name (default: the folder's name).") var name: String?

      func run() async throws {
        let loader = ManifestLoader()
        let file = try options.locate()
        let absolute = PathResolver(home: NSHomeDirectory(), directory: FileManager.default.currentDirectoryPath).resolve(path)
        let projectName = name ?? (absolute as NSString).lastPathComponent
        let original: String
        do { original = try String(contentsOfFile: file, encoding: .utf8) } catch {
          Terminal.error("wt project add: cannot read \(file): \(describe(error))")
          throw ExitCode.failure
        }
        let updated: String
        do {
          updated = try ManifestEditor.addingProject(name: projectName, path: absolute, to: original)
        } catch {
          Terminal.error("wt project add: \(error)")
          throw ExitCode.failure
        }
        do {
          // Checked as the new file before it replaces the old, so the
          // manifest is never worse than it was, not even for a moment.
          try ManifestFile.replace(file, with: updated) { candidate in
            let result = loader.load(file: candidate)
            for d in result.diagnostics where d.severity == .error { Terminal.error(d.description) }
            return result.manifest != nil
          }
        } catch {
          Terminal.error("wt project add: \(describe(error)); \(file) is unchanged")
          throw ExitCode.failure
        }
        print("added project '\(projectName)' (\(absolute)) to \(file)")
      }
    }
  }
}
