import ArgumentParser
import Foundation
import Manifest
import Reconciler

extension WT {
  struct Trust: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "trust",
      abstract: "Allow a repository's own wt.yaml to run what it declares (setup, gate, copy, agents, bd, notify); your own ./wt.yaml outside any repository needs none.",
      discussion: discussion(
        """
        A repository's wt.yaml may have been written by anyone who can push to it, so wt runs none of its
        commands until you have read it and trusted its exact content. A changed file needs trusting again.
        """,
        example: "$ less ~/code/api/wt.yaml && wt trust ~/code/api"))

    @Argument(help: "The repository, or its wt.yaml.") var path: String
    @OptionGroup var options: ManifestOptions
    @Option(help: "Trust the file on this host (from hosts: in wt.yaml), where its project's wt reads it; PATH is a path there.")
    var host: String?

    func run() async throws {
      if let host {
        // The manifest names the host and how to reach it: it must be one
        // the person trusts, like for any command that connects.
        let context = try await Context(options)
        guard let remote = context.manifest.host(named: host) else {
          throw Failure("no host '\(host)' in \(context.manifest.file)")
        }
        try await Forward.exec(on: remote, context: context, arguments: ["trust", path])
      }
      let resolved = PathResolver(home: NSHomeDirectory(), directory: FileManager.default.currentDirectoryPath).resolve(path)
      var isDirectory: ObjCBool = false
      FileManager.default.fileExists(atPath: resolved, isDirectory: &isDirectory)
      let file = isDirectory.boolValue ? (resolved as NSString).appendingPathComponent("wt.yaml") : resolved
      let content: String
      do {
        content = try String(contentsOfFile: file, encoding: .utf8)
      } catch {
        Terminal.error("wt: cannot read \(file): \(describe(error))")
        throw ExitCode.failure
      }
      // Read as a repository's file would be, to show what it runs.
      let result = ManifestLoader(environment: options.environment.variables).load(file: file, named: false)
      for d in result.diagnostics { Terminal.error(d.description) }
      guard let manifest = result.manifest else {
        Terminal.error("wt: \(file) is not a valid wt.yaml; nothing was trusted")
        throw ExitCode.failure
      }
      let commands = manifest.foreign?.commands ?? []
      let store = TrustStore(directory: options.environment.stateDirectory)
      do {
        try store.trust(file, content: content)
      } catch {
        Terminal.error("wt: \(describe(error))")
        throw ExitCode.failure
      }
      Terminal.line("trusted \(file) as it is now" + (commands.isEmpty ? "; it runs nothing of its own" : "; wt may run:"))
      for command in commands { Terminal.line("  \(command)") }
    }
  }
}
