import ArgumentParser
import Foundation
import Manifest
import Reconciler

/// `-f/--file`, shared by every command that reads wt.yaml.
struct ManifestOptions: ParsableArguments {
  @Option(name: [.short, .long], help: "The manifest (default: $WT_CONFIG, ./wt.yaml, ~/.config/wt/wt.yaml).")
  var file: String?

  /// The manifest's path, or where wt looked and exit 1.
  func locate() throws -> String {
    do { return try ManifestLoader().locate(explicit: file) } catch {
      Terminal.error(error.description)
      throw ExitCode.failure
    }
  }

  /// The manifest, or every diagnostic on stderr and exit 1. Warnings are
  /// printed either way.
  func load() throws -> Manifest {
    let result = ManifestLoader().load(file: try locate())
    for diagnostic in result.diagnostics { Terminal.error(diagnostic.description) }
    guard let manifest = result.manifest else { throw ExitCode.failure }
    return manifest
  }
}

enum Terminal {
  static func error(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
  }

  static var stdoutIsTerminal: Bool { isatty(STDOUT_FILENO) == 1 }
  static var stdinIsTerminal: Bool { isatty(STDIN_FILENO) == 1 }

  /// Columns of the terminal, or 120 when not a terminal.
  static var width: Int { windowSize.map { Int($0.ws_col) } ?? 120 }
  static var height: Int { windowSize.map { Int($0.ws_row) } ?? 50 }

  private static var windowSize: winsize? {
    var size = winsize()
    guard ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return nil }
    return size
  }

  /// Colour only for a terminal, and never when NO_COLOR is set.
  static var useColor: Bool {
    stdoutIsTerminal && (ProcessInfo.processInfo.environment["NO_COLOR"] ?? "").isEmpty
  }
}

/// Prints a value as stable, sorted, pretty JSON.
func printJSON(_ value: some Encodable) throws {
  print(try PlanJSON.encode(value))
}
