import Foundation

/// Facts about the machine that Linux and macOS answer in different ways:
/// the running binary, load, memory and the process table. One
/// implementation per system, chosen at compile time (`CurrentPlatform`);
/// "host" in wt means another machine (`hosts:`), never this one;
/// nothing else in wt reads `/proc` or calls Mach.
///
/// Every fact is optional: nil means "this system would not say", and the
/// caller shows that (`?` in `wt status`, a note from admission) instead
/// of guessing. Don't use it for anything a POSIX call answers the same way
/// everywhere; that belongs where it is used.
public protocol Platform: Sendable {
  /// The absolute path of the running wt binary, symlinks resolved.
  func executablePath() -> String?
  /// Bytes new processes can take without pushing others to swap.
  func availableMemory() -> UInt64?
  /// Every process's parent and resident memory, read in one go.
  func processTable(runner: ProcessRunner) async -> ProcessTable?
}

#if os(Linux)
  public typealias CurrentPlatform = LinuxPlatform
#elseif canImport(Darwin)
  public typealias CurrentPlatform = DarwinPlatform
#endif

extension Platform {
  /// The 1-minute load average. `getloadavg(3)` exists on both systems.
  public func loadAverage() -> Double? {
    var load = [0.0]
    return getloadavg(&load, 1) == 1 ? load[0] : nil
  }

  /// Cores the scheduler may use, for load per core.
  public func cores() -> Int { ProcessInfo.processInfo.activeProcessorCount }

  /// The absolute path with every symlink, `.` and `..` resolved, by
  /// `realpath(3)`: Foundation's `resolvingSymlinksInPath` strips
  /// `/private` on macOS, which makes `/tmp/x` and its real path differ.
  /// Nil when the path does not exist.
  public func canonicalPath(_ path: String) -> String? {
    guard let resolved = realpath(path, nil) else { return nil }
    defer { free(resolved) }
    return String(cString: resolved)
  }
}
