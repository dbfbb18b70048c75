/// When the machine is too busy to start another worker.
public struct Admission: Hashable, Sendable {
  /// Defaults leave room for a person to keep working beside the agents: an
  /// agent start costs about a core for a few seconds and ~335 MB resident.
  public static let defaultMaxLoadPerCore = 1.5
  public static let defaultMinFreeMemory: UInt64 = 2 << 30

  public var maxLoadPerCore: Double
  public var minFreeMemory: UInt64

  public init(maxLoadPerCore: Double = defaultMaxLoadPerCore, minFreeMemory: UInt64 = defaultMinFreeMemory) {
    self.maxLoadPerCore = maxLoadPerCore
    self.minFreeMemory = minFreeMemory
  }
}
