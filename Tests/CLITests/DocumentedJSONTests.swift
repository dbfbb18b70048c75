import Foundation
import Testing

/// docs/json.md (which README's "JSON output" points to) is the contract
/// scripts are written against: every key it lists is in every row of the
/// real output (null where unknown, never missing), for every `--json`
/// command it documents.
extension EndToEnd {
  @Suite struct DocumentedJSONTests {
    /// Keys the document says are absent on this machine's rows:
    /// "`host` … (absent for this machine)".
    static let absentHere: Set<String> = ["host"]

    /// A documented shape: `{"a", "b": [{"c"}]}` reads as an object with
    /// keys a and b, b an array of objects with key c.
    indirect enum Shape: Equatable {
      case object([(String, Shape?)])
      case array(Shape?)
      case leaf

      static func == (a: Shape, b: Shape) -> Bool { "\(a)" == "\(b)" }
    }

    /// Reads README's pseudo-JSON: quoted keys, optional `: value`, values
    /// that are objects, arrays (`[...]` for "some list"), or quoted
    /// alternatives (`"create"|"update"`).
    struct ShapeParser {
      var chars: [Character]
      var i = 0

      init(_ text: String) { chars = Array(text) }

      mutating func skip() { while i < chars.count, chars[i].isWhitespace { i += 1 } }

      mutating func value() throws -> Shape {
        skip()
        guard i < chars.count else { throw Failure("unexpected end") }
        switch chars[i] {
        case "{":
          i += 1
          var members: [(String, Shape?)] = []
          while true {
            skip()
            if chars[i] == "}" { i += 1; return .object(members) }
            let key = try quoted()
            skip()
            var shape: Shape?
            if chars[i] == ":" {
              i += 1
              shape = try value()
              skip()
            }
            members.append((key, shape))
            if chars[i] == "," { i += 1 }
          }
        case "[":
          i += 1
          skip()
          if String(chars[i...]).hasPrefix("...") {
            i += 3
            skip()
            i += 1  // ]
            return .array(nil)
          }
          let element = try value()
          skip()
          i += 1  // ]
          return .array(element)
        case "\"":
          _ = try quoted()
          while i < chars.count, chars[i] == "|" {
            i += 1
            _ = try quoted()
          }
          return .leaf
        default:
          throw Failure("unexpected '\(chars[i])' at \(i) in \(String(chars))")
        }
      }

      mutating func quoted() throws -> String {
        skip()
        guard chars[i] == "\"" else { throw Failure("expected a quote at \(i) in \(String(chars))") }
        i += 1
        let start = i
        while chars[i] != "\"" { i += 1 }
        defer { i += 1 }
        return String(chars[start..<i])
      }
    }

    struct Failure: Error, CustomStringConvertible {
      var description: String
      init(_ d: String) { description = d }
    }

    /// `wt X --json` → its documented shape, from docs/json.md.
    static func documented() throws -> [String: Shape] {
      let document = try String(contentsOfFile: "\(CLITests.root)/docs/json.md", encoding: .utf8)
      let section = document[(document.range(of: "\n## ")?.lowerBound ?? document.startIndex)...]
      let spans = section.components(separatedBy: "`").enumerated().filter { $0.offset % 2 == 1 }.map(\.element)
      var out: [String: Shape] = [:]
      var command: String?
      for span in spans {
        if span.hasPrefix("wt "), span.hasSuffix(" --json") {
          command = String(span.dropFirst(3).dropLast(7))
        } else if let c = command, span.hasPrefix("{") || span.hasPrefix("[") {
          var parser = ShapeParser(span.replacingOccurrences(of: "\n", with: " "))
          out[c] = try parser.value()
          command = nil
        }
      }
      return out
    }

    /// Checks `value` against `shape`; returns how many rows it looked at,
    /// so a check over empty lists cannot pass unnoticed.
    @discardableResult
    static func check(_ value: Any, _ shape: Shape, at path: String, problems: inout [String]) -> Int {
      switch shape {
      case .leaf: return 0
      case .array(let element):
        guard let items = value as? [Any] else {
          problems.append("\(path) is not an array")
          return 0
        }
        guard let element else { return 0 }
        return items.enumerated().reduce(items.count) { $0 + check($1.element, element, at: "\(path)[\($1.offset)]", problems: &problems) }
      case .object(let members):
        guard let object = value as? [String: Any] else {
          problems.append("\(path) is not an object")
          return 0
        }
        var rows = 0
        for (key, inner) in members {
          guard let v = object[key] else {
            if absentHere.contains(key) { continue }
            problems.append("\(path) has no \"\(key)\"")
            continue
          }
          if let inner, !(v is NSNull) { rows += check(v, inner, at: "\(path).\(key)", problems: &problems) }
        }
        return rows
      }
    }

    @Test func theDocumentedShapesAreRead() throws {
      var parser = ShapeParser(#"{"a": [{"b", "c": "x"|"y"}], "d": [...], "e"}"#)
      #expect(try parser.value() == .object([("a", .array(.object([("b", nil), ("c", .leaf)]))), ("d", .array(nil)), ("e", nil)]))
      let documented = try Self.documented()
      #expect(
        Set(documented.keys) == [
          "diff", "validate", "queue", "status", "ready", "project list", "seance BEAD", "agents", "host list", "usage",
        ])
    }

    /// One playground with every kind of row: a worker that starts, one
    /// that waits, one whose gate failed (a queue row), one kept after
    /// `wt abandon` (no age: null), a session that still runs (no end).
    @Test func everyDocumentedKeyIsInTheRealOutput() throws {
      let p = try Playground(workers: 2, gate: #"[[sh, -c, "test ! -e fail.txt"]]"#)
      let kept = try p.bead("Kept after abandon", priority: 1)
      let failing = try p.bead("Fails its gate", priority: 2)
      let waiting = try p.bead("Waits for a slot", priority: 3)
      var outputs: [String: [String]] = [:]
      func run(_ command: String, _ args: String...) throws {
        let r = try p.sh([CLITests.binary] + args, check: false)
        #expect(!r.stdout.isEmpty, "\(args): \(r.stderr)")
        outputs[command, default: []].append(r.stdout)
      }
      try run("diff", "diff", "--json")
      #expect(try p.wt("apply", "--yes").status == 0)
      try p.commit("fail.txt", "x\n", in: p.worktree(failing))
      #expect(try p.wt("done", failing).status == 1)
      #expect(try p.wt("abandon", kept).status == 0)
      try run("status", "status", "--json")
      try run("queue", "queue", "--json")
      try run("ready", "ready", "--json")
      try run("project list", "project", "list", "--json")
      try run("seance BEAD", "seance", kept, "--json")
      try run("seance BEAD", "seance", failing, "--json")
      try run("host list", "host", "list", "--json")
      try run("agents", "agents", "--json")
      try run("usage", "usage", "--json")
      try run("usage", "usage", "--by", "bead", "--json")
      try run("validate", "validate", "--json")
      // An invalid file, for diagnostics with and without a hint.
      try "version: 1\nprojects:\n  api:\n    path: .\n    worker: 3\n    on_done: squash\n".write(
        toFile: "\(p.dir)/broken.yaml", atomically: true, encoding: .utf8)
      try run("validate", "validate", "-f", "\(p.dir)/broken.yaml", "--json")
      #expect(try p.wt("diff").stdout.contains(waiting))

      let documented = try Self.documented()
      #expect(Set(outputs.keys) == Set(documented.keys))
      for (command, shape) in documented {
        var rows = 0
        for text in outputs[command] ?? [] {
          let value = try #require(p.json(text), "\(command): \(text)")
          var problems: [String] = []
          rows += Self.check(value, shape, at: "wt \(command) --json", problems: &problems)
          #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))\n\(text)")
        }
        // `host list` documents no row shape; every other list was seen.
        if command != "host list" { #expect(rows > 0, "wt \(command) --json gave no rows to check") }
      }
      // The rows that once lost keys: a kept worker's age, a running
      // session's end.
      let status = (p.json(outputs["status"]?.first ?? "") as? [String: Any])?["workers"] as? [[String: Any]] ?? []
      let keptRow = try #require(status.first { $0["bead"] as? String == kept })
      #expect(keptRow["status"] as? String == "kept" && keptRow["status_age"] is NSNull)
      let running = (p.json(outputs["seance BEAD"]?.last ?? "") as? [String: Any])?["sessions"] as? [[String: Any]] ?? []
      #expect(running.first?["end"] is NSNull)
      let broken = p.json(outputs["validate"]?.last ?? "") as? [String: Any] ?? [:]
      let diagnostics = broken["diagnostics"] as? [[String: Any]] ?? []
      #expect(diagnostics.count == 2)
    }
  }
}
