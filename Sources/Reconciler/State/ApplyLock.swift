import Foundation

/// One apply at a time: `apply.lock` in the state directory (see
/// `FileLock`), so a second apply can say whom it waits for.
public final class ApplyLock {
  private let lock: FileLock

  public struct Busy: Error, CustomStringConvertible {
    public var holder: String
    public var description: String {
      "another wt apply is running (\(holder)); wait for it, or stop it if it is stuck"
    }
  }

  /// Waits up to `wait` for the lock, retrying with backoff.
  public init(store: StateStore, wait: Duration) async throws {
    do {
      lock = try await FileLock(path: "\(store.directory)/apply.lock", what: "the apply lock", holder: "wt apply", wait: wait)
    } catch let busy as FileLock.Busy {
      throw Busy(holder: busy.holder)
    }
  }
}
