import ArgumentParser
import Foundation
import Reconciler

/// How a command that prints data prints it: `--json`, or `-o text|json`.
/// Every JSON root is an object with `format_version` (see `JSONOutput`).
struct OutputOptions: ParsableArguments {
  enum Format: String, ExpressibleByArgument, CaseIterable {
    case text, json
  }

  @Option(name: .shortAndLong, help: "text or json (-o json is the same as --json).") var output: Format = .text
  @Flag(help: "Print JSON: an object with format_version; see docs/json.md.") var json = false

  var isJSON: Bool { json || output == .json }
}

/// A runtime failure that names what is wrong and what to do: one `wt: …`
/// line and exit 1, never the usage (the command line was well formed;
/// the world or the manifest says otherwise, e.g. a misspelt project).
struct Failure: Error, CustomStringConvertible {
  var description: String
  init(_ description: String) { self.description = description }
}

/// Prints a JSON root as wt does: sorted, pretty, control bytes escaped.
func printJSON(_ value: some Encodable) throws {
  print(try JSONOutput.encode(value))
}

/// Prints a list under its key, with `format_version`.
func printJSON<Row: Encodable & Sendable>(_ key: String, _ rows: [Row]) throws {
  try printJSON(JSONList(key, rows))
}
