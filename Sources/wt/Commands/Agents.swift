import ArgumentParser
import Foundation
import Manifest
import Presentation
import Reconciler

extension WT {
  struct Agents: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "agents",
      abstract: "Agent profiles: built-in or overridden, whether each command is installed, and what each can do.",
      discussion: discussion(example: "$ wt agents --json | jq -r '.agents[] | select(.installed | not) | .name'"))

    @OptionGroup var options: ManifestOptions
    @OptionGroup var output: OutputOptions

    struct Row: Encodable {
      var name: String
      /// built-in, overridden (a built-in the manifest changes) or declared.
      var origin: String
      var command: [String]
      /// Where the command was found on PATH; nil when it was not.
      var path: String?
      var installed: Bool
      var hooks: String
      var resume: Bool
      var promptArg: String?
      var trustSeed: String?
      /// Projects that use it.
      var projects: [String]

      enum CodingKeys: String, CodingKey {
        case name, origin, command, path, installed, hooks, resume, projects
        case promptArg = "prompt_arg"
        case trustSeed = "trust_seed"
      }

      /// What is not there (a command not installed, no prompt argument,
      /// no trust seed) is null, never missing.
      func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(origin, forKey: .origin)
        try c.encode(command, forKey: .command)
        try c.encode(path, forKey: .path)
        try c.encode(installed, forKey: .installed)
        try c.encode(hooks, forKey: .hooks)
        try c.encode(resume, forKey: .resume)
        try c.encode(promptArg, forKey: .promptArg)
        try c.encode(trustSeed, forKey: .trustSeed)
        try c.encode(projects, forKey: .projects)
      }
    }

    func run() async throws {
      // Without a manifest the built-in profiles are still worth listing.
      let manifest = (try? ManifestLoader(environment: options.environment.variables).find(explicit: options.file)) == nil ? nil : try await options.loadMarkingTrust()
      let agents = manifest?.agents ?? BuiltInAgents.all
      let path = options.environment.path
      let rows = agents.values.sorted { $0.name < $1.name }.map { p in
        let found = Self.find(p.command.first ?? "", path: path)
        return Row(
          name: p.name, origin: p.origin.rawValue, command: p.command, path: found, installed: found != nil,
          hooks: p.hooks.rawValue, resume: !p.resume.isEmpty,
          promptArg: p.promptArg.map { if case .flag(let f) = $0 { f } else { "positional" } },
          trustSeed: p.trustSeed == .none ? nil : p.trustSeed.rawValue,
          projects: manifest?.projects.filter { $0.agents.contains(p.name) }.map(\.name) ?? [])
      }
      if output.isJSON { return try printJSON(ListKey.agents, rows) }
      let table = [["AGENT", "ORIGIN", "INSTALLED", "CAN", "PROJECTS", "COMMAND"]] + rows.map { r in
        [r.name, r.origin, r.installed ? "yes" : "no", agents[r.name]!.capabilities.joined(separator: ","),
         r.projects.isEmpty ? "-" : r.projects.joined(separator: ","), TerminalText.escape(Project.shellWords(r.command))]
      }
      let widths = (0..<table[0].count).map { c in table.map { DisplayWidth.of($0[c]) }.max() ?? 0 }
      for line in table {
        Terminal.line(zip(line, widths).map { DisplayWidth.pad($0, to: $1) }.joined(separator: "  ")
          .trimmingCharacters(in: .whitespaces))
      }
    }

    /// Where `command` runs from: itself when it names a path, else the
    /// first executable of that name on `path`.
    static func find(_ command: String, path: String) -> String? {
      let fm = FileManager.default
      if command.contains("/") { return fm.isExecutableFile(atPath: command) ? command : nil }
      guard !command.isEmpty else { return nil }
      for dir in path.split(separator: ":") where !dir.isEmpty {
        let candidate = "\(dir)/\(command)"
        if fm.isExecutableFile(atPath: candidate) { return candidate }
      }
      return nil
    }
  }
}
