import Foundation

/// One apply at a time. An advisory lock on `apply.lock`, released by the
/// kernel if the holder dies, with `apply.lock.info` naming the holder so a
/// second apply can say who it waits for.
public final class ApplyLock {
  private let fd: Int32
  private let infoFile: String

  public struct Busy: Error, CustomStringConvertible {
    public var holder: String
    public var description: String {
      "another wt apply is running (\(holder)); wait for it, or stop it if it is stuck"
    }
  }

  /// Waits up to `wait` for the lock, retrying with backoff.
  public init(store: StateStore, wait: Duration) async throws {
    try FileManager.default.createDirectory(atPath: store.directory, withIntermediateDirectories: true)
    let path = "\(store.directory)/apply.lock"
    infoFile = path + ".info"
    fd = open(path, O_CREAT | O_RDWR, 0o644)
    guard fd >= 0 else { throw StateError(message: "cannot open \(path)") }
    let deadline = ContinuousClock.now + wait
    var delay = Duration.milliseconds(50)
    while flock(fd, LOCK_EX | LOCK_NB) != 0 {
      if ContinuousClock.now >= deadline {
        close(fd)
        let holder = (try? String(contentsOfFile: infoFile, encoding: .utf8)) ?? "unknown holder"
        throw Busy(holder: holder.trimmingCharacters(in: .whitespacesAndNewlines))
      }
      try await Task.sleep(for: delay)
      delay = min(delay * 2, .seconds(1))
    }
    let info = "pid \(getpid()) since \(ISO8601DateFormatter().string(from: Date()))\n"
    try? info.write(toFile: infoFile, atomically: true, encoding: .utf8)
  }

  deinit {
    try? FileManager.default.removeItem(atPath: infoFile)
    flock(fd, LOCK_UN)
    close(fd)
  }
}
