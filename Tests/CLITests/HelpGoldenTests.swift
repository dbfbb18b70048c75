import Foundation
import Testing
import TestSupport

extension EndToEnd {
  /// `wt --help` and `wt help COMMAND` for every command, pinned in
  /// `Tests/CLITests/Golden/help/` at 80 columns: a change to the help
  /// shows as a diff. Rerun with WT_UPDATE_GOLDEN=1 and review.
  @Suite(.timeLimit(.minutes(3))) struct HelpGoldenTests {
    static let folder = "\(CLITests.root)/Tests/CLITests/Golden/help"

    func help(_ command: [String]) throws -> String {
      let environment = ProcessInfo.processInfo.environment.merging(["COLUMNS": "80", "NO_COLOR": "1"]) { _, b in b }
      let run = try runChild(CLITests.binary, command.isEmpty ? ["--help"] : ["help"] + command, in: CLITests.root, environment: environment)
      #expect(run.status == 0, "wt help \(command.joined(separator: " ")): \(run.stderrText)")
      return run.stdoutText
    }

    /// The commands a help text lists under its SUBCOMMANDS headings
    /// (grouped or not), without the parser's own `help`.
    func listed(in text: String) -> [String] {
      var inList = false
      var names: [String] = []
      for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
        if line.hasSuffix("SUBCOMMANDS:") { inList = true; continue }
        if line.isEmpty || !line.hasPrefix("  ") { inList = false; continue }
        guard inList, !line.hasPrefix("   ") else { continue }
        let name = line.dropFirst(2).prefix { $0 != " " }
        if name != "help" { names.append(String(name)) }
      }
      return names
    }

    /// Every visible command, each group's leaves after it (`project list`).
    func commands() throws -> [[String]] {
      var all: [[String]] = []
      for name in listed(in: try help([])) {
        all.append([name])
        all += listed(in: try help([name])).map { [name, $0] }
      }
      return all
    }

    func golden(_ command: [String]) -> String {
      "\(Self.folder)/\((["wt"] + command).joined(separator: "-")).txt"
    }

    @Test func everyCommandsHelpIsPinned() throws {
      let commands = try commands()
      #expect(commands.count >= 25, "\(commands)")
      if ProcessInfo.processInfo.environment["WT_UPDATE_GOLDEN"] == "1" {
        try FileManager.default.createDirectory(atPath: Self.folder, withIntermediateDirectories: true)
      }
      for command in [[]] + commands {
        let actual = try help(command)
        let path = golden(command)
        if ProcessInfo.processInfo.environment["WT_UPDATE_GOLDEN"] == "1" {
          try actual.write(toFile: path, atomically: true, encoding: .utf8)
        }
        let expected = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        #expect(actual == expected, "golden \(path) differs; rerun with WT_UPDATE_GOLDEN=1 and review the diff")
      }
      // No file is left for a command that is gone.
      let files = Set(try FileManager.default.contentsOfDirectory(atPath: Self.folder))
      let pinned = Set(([[]] + commands).map { (golden($0) as NSString).lastPathComponent })
      #expect(files == pinned)
    }

    /// The groups a person meets the commands in, each command once.
    @Test func theRootHelpGroupsTheCommands() throws {
      let text = try help([])
      let headings = text.split(separator: "\n").filter { $0.hasSuffix("SUBCOMMANDS:") }.map(String.init)
      #expect(headings == [
        "PLAN & APPLY SUBCOMMANDS:", "WORKERS SUBCOMMANDS:", "INSIDE A WORKER SUBCOMMANDS:", "MANIFEST & HOSTS SUBCOMMANDS:",
      ])
      let names = listed(in: text)
      #expect(Set(names).count == names.count && names.count == 25, "\(names)")
    }

    /// Each command's help ends its discussion with a realistic
    /// invocation, and each command that reads the manifest takes `-f`
    /// (all do; `wt signal` for its notify).
    @Test func everyCommandHasAnExampleAndEveryLeafTakesAFile() throws {
      let commands = try commands()
      let groups = Set(commands.filter { $0.count == 2 }.map { $0[0] })
      for command in commands {
        let text = try help(command)
        #expect(text.contains("\nExample:\n  $ "), "wt help \(command.joined(separator: " ")) has no example")
        if !groups.contains(command[0]) || command.count == 2 {
          #expect(text.contains("-f, --file <file>"), "wt \(command.joined(separator: " ")) takes no -f")
        }
      }
    }

    /// An example that pipes wt's JSON into jq reads the shape wt prints:
    /// the filter runs without an error on the pinned JSON of that command.
    @Test func theJQExamplesReadThePinnedJSON() throws {
      let pinned = [
        "status": "status.json", "ready": "ready.json", "queue": "queue.json", "project list": "project-list.json",
        "agents": "agents.json", "diff": "diff.json", "validate": "validate.json",
      ]
      var checked = 0
      for command in try commands() {
        let text = try help(command)
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("  $ wt ") && $0.contains(" | jq ") }),
          let file = pinned[command.joined(separator: " ")]
        else { continue }
        let filter = line[line.range(of: " | jq ")!.upperBound...]
        let json = "\(CLITests.root)/Tests/CLITests/Golden/\(file)"
        let run = try runChild("/bin/sh", ["-c", "jq \(filter) < '\(json)'"], in: CLITests.root, environment: ProcessInfo.processInfo.environment)
        #expect(run.status == 0 && run.stderrText.isEmpty, "\(line): \(run.stderrText)")
        checked += 1
      }
      #expect(checked == pinned.count)
    }
  }
}
