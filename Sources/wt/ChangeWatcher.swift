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

  init(manifest: Manifest) {
    manifestFile = manifest.file
    eventsFile = StateStore.directory(environment: ProcessInfo.processInfo.environment) + "/events.jsonl"
    manifestStamp = Self.modified(manifestFile)
    eventsSize = Self.size(eventsFile)
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
      try? await Task.sleep(for: .milliseconds(500))
      let size = Self.size(eventsFile)
      if size != eventsSize {
        eventsSize = size
        return
      }
      if Self.modified(manifestFile) != manifestStamp { return }
    }
  }

  /// The manifest again when it was saved since the last look and is
  /// valid; an invalid edit is reported and the old one kept.
  mutating func reloadedManifest(loader options: ManifestOptions) -> Manifest? {
    let stamp = Self.modified(manifestFile)
    guard stamp != manifestStamp else { return nil }
    manifestStamp = stamp
    guard let manifest = try? options.load() else {
      Terminal.error("wt.yaml has errors or is not trusted; still working from the last valid version")
      return nil
    }
    return manifest
  }
}
