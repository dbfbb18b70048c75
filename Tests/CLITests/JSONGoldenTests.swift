import Foundation
import Testing

extension EndToEnd {
  /// Every JSON shape wt prints, pinned: the output of one small world,
  /// with what differs from run to run (folders, ids, times, process ids,
  /// sizes) replaced by placeholders. A change to a shape shows as a diff
  /// of `Tests/CLITests/Golden/`; rerun with WT_UPDATE_GOLDEN=1 and review.
  @Suite(.timeLimit(.minutes(5))) struct JSONGoldenTests {
    @Test func everyJSONShapeIsPinned() throws {
      let p = try Playground()
      let first = try p.bead("First", priority: 1)
      let second = try p.bead("Second", priority: 2)
      let ids = [first: "$BEAD1", second: "$BEAD2"]
      func pinned(_ name: String, _ args: String..., keep: (Any) -> Any = { $0 }) throws {
        let run = try p.sh([CLITests.binary] + args, check: false)
        #expect([0, 2].contains(run.status), "wt \(args.joined(separator: " ")): \(run.stderr)")
        let value = keep(try #require(p.json(run.stdout), "wt \(args.joined(separator: " ")) printed no JSON"))
        #expect((value as? [String: Any])?["format_version"] as? String == "1.0")
        try golden(name, normalized(value, playground: p, ids: ids))
      }
      try pinned("validate.json", "validate", "--json")
      try pinned("ready.json", "ready", "--json")
      try pinned("diff.json", "diff", "-o", "json")
      try pinned("project-list.json", "project", "list", "--json")
      // Only the agent the test declares: which built-in agents are
      // installed differs from machine to machine.
      try pinned("agents.json", "agents", "--json") { root in
        var object = root as? [String: Any] ?? [:]
        object["agents"] = (object["agents"] as? [[String: Any]] ?? []).filter { $0["name"] as? String == "fake" }
        return object
      }
      #expect(try p.wt("apply", "--yes").status == 0)
      #expect(try p.wait { try p.rows("status", "--json").first?["status"] as? String == "idle" })
      try pinned("status.json", "status", "--json")
      try pinned("usage.json", "usage", "--json")
      try pinned("usage-by-project.json", "usage", "--by", "project", "--json")
      try pinned("queue.json", "queue", "--json")
      try pinned("seance.json", "seance", first, "--json")
    }

    /// The value as sorted, pretty JSON with the run's own facts replaced.
    func normalized(_ value: Any, playground p: Playground, ids: [String: String]) throws -> String {
      let data = try JSONSerialization.data(withJSONObject: value, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
      var text = String(decoding: data, as: UTF8.self) + "\n"
      for (id, name) in ids { text = text.replacingOccurrences(of: id, with: name) }
      text = text.replacingOccurrences(of: CanonicalDir.of(p.dir), with: "$DIR").replacingOccurrences(of: p.dir, with: "$DIR")
      text = text.replacingOccurrences(of: CLITests.root, with: "$ROOT")
      let patterns = [
        (#""[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z?""#, #""$TIME""#),
        (#""(pid|status_age|idle_for|memory_bytes)" : [0-9.]+"#, #""$1" : 0"#),
        (#""session" : "[0-9a-f-]{36}""#, #""session" : "$UUID""#),
      ]
      for (pattern, template) in patterns {
        text = text.replacingOccurrences(of: pattern, with: template, options: .regularExpression)
      }
      return text
    }

    func golden(_ name: String, _ actual: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
      let path = "\(CLITests.root)/Tests/CLITests/Golden/\(name)"
      if ProcessInfo.processInfo.environment["WT_UPDATE_GOLDEN"] == "1" {
        try actual.write(toFile: path, atomically: true, encoding: .utf8)
      }
      let expected = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
      #expect(actual == expected, "golden \(name) differs; rerun with WT_UPDATE_GOLDEN=1 and review the diff", sourceLocation: sourceLocation)
    }
  }
}

/// Temporary folders are reached through a symlink on macOS (/var →
/// /private/var); wt prints the resolved path.
enum CanonicalDir {
  static func of(_ path: String) -> String { URL(fileURLWithPath: path).resolvingSymlinksInPath().path }
}
