import Foundation
import Manifest
import Reconciler

/// Decides when `apply --watch` runs its next pass: when wt.yaml is saved,
/// when a worker or hook records an event, or after the interval. The pass
/// itself never depends on what woke it.
struct ChangeWatcher {
  let manifestFile: String
  let eventsFile: String
  var manifestStamp: Date?
  var eventsSize: UInt64

  /// `eventsSeen`: how long the history was when its last pass looked,
  /// when that was another process (a host's pass for the wt driving it);
  /// events since then wake it at once.
  init(manifest: Manifest, eventsSeen: UInt64? = nil) {
    manifestFile = manifest.file
    eventsFile = StateStore.directory(environment: ProcessInfo.processInfo.environment) + "/events.jsonl"
    manifestStamp = Self.modified(manifestFile)
    eventsSize = eventsSeen ?? Self.size(eventsFile)
  }

  /// Where a host's pass notes how long the history was when it looked.
  static var hostPassMark: String {
    StateStore.directory(environment: ProcessInfo.processInfo.environment) + "/host-pass.seen"
  }

  static func readHostPassMark() -> UInt64? {
    (try? String(contentsOfFile: hostPassMark, encoding: .utf8)).flatMap { UInt64($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
  }

  static func writeHostPassMark() {
    let size = Self.size(StateStore.directory(environment: ProcessInfo.processInfo.environment) + "/events.jsonl")
    try? "\(size)\n".write(toFile: hostPassMark, atomically: true, encoding: .utf8)
  }

  static func modified(_ path: String) -> Date? {
    (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
  }

  static func size(_ path: String) -> UInt64 {
    ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.uint64Value ?? 0
  }

  mutating func waitForChange(orAfter interval: Duration) async {
    let end = ContinuousClock.now + interval
    while ContinuousClock.now < end {
      let size = Self.size(eventsFile)
      if size != eventsSize {
        eventsSize = size
        return
      }
      if Self.modified(manifestFile) != manifestStamp { return }
      try? await Task.sleep(for: .milliseconds(500))
    }
  }

  /// The manifest again when it was saved since the last look and is
  /// valid; an invalid edit is reported and the old one kept.
  mutating func reloadedManifest(loader options: ManifestOptions) async -> Manifest? {
    let stamp = Self.modified(manifestFile)
    guard stamp != manifestStamp else { return nil }
    manifestStamp = stamp
    guard let manifest = try? await options.load() else {
      Terminal.error("wt: wt.yaml has errors or is not trusted; still working from the last valid version")
      return nil
    }
    return manifest
  }
}
