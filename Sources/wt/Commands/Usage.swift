import ArgumentParser
import Foundation
import Manifest
import Presentation
import Reconciler

extension UsageReport.Grouping: ExpressibleByArgument {}

extension WT {
  struct Usage: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "usage",
      abstract: "Tokens each worker used per UTC day, from the agents' own records, with their cost at settings.prices.",
      discussion: discussion(
        "Claude Code's figures come from its session transcripts, Aider's from the token report it writes to .aider.chat.history.md (rounded as it prints them); an agent with no record shows '?'. Finished workers stay. A cost needs settings.prices for the agent.",
        example: "$ wt usage --by project"))

    @OptionGroup var options: ManifestOptions
    @OptionGroup var output: OutputOptions
    @Option(help: "Sum by bead, project, account or day.") var by: UsageReport.Grouping?

    func run() async throws {
      let context = try await Context(glance: options)
      let state = try context.world.store.load()
      var rows = try context.world.usageRows(context.manifest, state: state)
      if let by { rows = UsageReport.sums(rows, by: by) }
      if output.isJSON { return try printJSON(ListKey.rows, rows) }
      if rows.isEmpty { return print("No usage recorded yet.") }
      print(UsageTable.render(rows, by: by), terminator: "")
    }
  }
}
