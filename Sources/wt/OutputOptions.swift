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

/// Prints a JSON root as wt does: sorted, pretty, control bytes escaped.
func printJSON(_ value: some Encodable) throws {
  print(try JSONOutput.encode(value))
}

/// Prints a list under its key, with `format_version`.
func printJSON<Row: Encodable & Sendable>(_ key: String, _ rows: [Row]) throws {
  try printJSON(JSONList(key, rows))
}
