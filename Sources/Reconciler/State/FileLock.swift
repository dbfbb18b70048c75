import Foundation

/// An advisory lock on a file, released by the kernel if the holder dies,
/// with `<path>.info` naming the holder so whoever waits can say for whom.
/// Serves the apply lock, the merge lock of a repository and the bead
/// guard; released when the value goes away.
public final class FileLock: @unchecked Sendable {
  private let fd: Int32
  private let infoFile: String

  public struct Busy: Error, CustomStringConvertible, Sendable {
    public var what: String
    public var holder: String
    public var description: String { "\(what) is held by \(holder); wait for it, or stop it if it is stuck" }
  }

  /// Waits up to `wait` for the lock, retrying with backoff up to one
  /// second. `holder` is written to the info file once the lock is held;
  /// `waiting` is called once when the lock is not free at first.
  public init(
    path: String, what: String, holder: String, wait: Duration, waiting: (@Sendable (String) -> Void)? = nil
  ) async throws {
    let directory = (path as NSString).deletingLastPathComponent
    do {
      try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    } catch {
      throw StateError(message: StateFiles.cannotCreate(directory, error))
    }
    infoFile = path + ".info"
    fd = open(path, O_CREAT | O_RDWR, 0o644)
    guard fd >= 0 else { throw StateError(message: "cannot open \(path): \(String(cString: strerror(errno)))") }
    let deadline = ContinuousClock.now + wait
    var delay = Duration.milliseconds(20)
    var told = false
    while flock(fd, LOCK_EX | LOCK_NB) != 0 {
      let current = Self.holder(infoFile)
      if !told {
        waiting?(current)
        told = true
      }
      if ContinuousClock.now >= deadline {
        close(fd)
        throw Busy(what: what, holder: current)
      }
      do {
        try await Task.sleep(for: delay)
      } catch {
        close(fd)
        throw error
      }
      delay = min(delay * 2, .seconds(1))
    }
    let info = "\(holder) (pid \(getpid()) since \(ISO8601DateFormatter().string(from: Date())))\n"
    try? info.write(toFile: infoFile, atomically: true, encoding: .utf8)
  }

  static func holder(_ infoFile: String) -> String {
    ((try? String(contentsOfFile: infoFile, encoding: .utf8)) ?? "an unknown holder")
      .trimmingCharacters(in: .whitespacesAndNewlines)
  }

  deinit {
    try? FileManager.default.removeItem(atPath: infoFile)
    flock(fd, LOCK_UN)
    close(fd)
  }
}
