import Foundation
import Manifest

/// Decides when the loop runs its next pass: when wt.yaml is saved, when a
/// worker or hook records an event, or when the time it was given runs
/// out. The pass itself never depends on what woke it (level-based, as
/// controller-runtime's `Reconcile` is: https://pkg.go.dev/sigs.k8s.io/controller-runtime/pkg/reconcile).
public struct ChangeWatcher: Sendable {
  public let manifestFile: String
  public let eventsFile: String
  var manifestStamp: Date?
  var eventsSize: UInt64

  /// `eventsSeen`: how long the history was when its last pass looked,
  /// when that was another process (a host's pass for the wt driving it);
  /// events since then wake it at once.
  public init(manifestFile: String, stateDirectory: String, eventsSeen: UInt64? = nil) {
    self.manifestFile = manifestFile
    eventsFile = stateDirectory + "/events.jsonl"
    manifestStamp = Self.modified(manifestFile)
    eventsSize = eventsSeen ?? Self.size(eventsFile)
  }

  /// Where a host's pass notes how long the history was when it looked.
  static func hostPassMark(_ stateDirectory: String) -> String { stateDirectory + "/host-pass.seen" }

  public static func readHostPassMark(stateDirectory: String) -> UInt64? {
    (try? String(contentsOfFile: hostPassMark(stateDirectory), encoding: .utf8))
      .flatMap { UInt64($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
  }

  public static func writeHostPassMark(stateDirectory: String) {
    let size = Self.size(stateDirectory + "/events.jsonl")
    try? "\(size)\n".write(toFile: hostPassMark(stateDirectory), atomically: true, encoding: .utf8)
  }

  public static func modified(_ path: String) -> Date? {
    (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
  }

  public static func size(_ path: String) -> UInt64 {
    ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.uint64Value ?? 0
  }

  /// What woke the loop.
  public enum Wake: Equatable, Sendable {
    case event, manifestSaved, timeUp
  }

  /// Returns as soon as something changed, or when `interval` is over.
  @discardableResult
  public mutating func waitForChange(orAfter interval: Duration, poll: Duration = .milliseconds(500)) async -> Wake {
    let end = ContinuousClock.now + interval
    while ContinuousClock.now < end {
      let size = Self.size(eventsFile)
      if size != eventsSize {
        eventsSize = size
        return .event
      }
      if Self.modified(manifestFile) != manifestStamp { return .manifestSaved }
      try? await Task.sleep(for: min(poll, end - ContinuousClock.now))
    }
    return .timeUp
  }

  /// Whether wt.yaml was saved since the last look; marks it seen.
  public mutating func manifestWasSaved() -> Bool {
    let stamp = Self.modified(manifestFile)
    guard stamp != manifestStamp else { return false }
    manifestStamp = stamp
    return true
  }
}
