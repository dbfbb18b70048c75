/// Parents and resident memory of every process, read once per look, so
/// each worker's agent tree is summed without asking the system again.
public struct ProcessTable: Equatable, Sendable {
  public var children: [Int32: [Int32]] = [:]
  public var rss: [Int32: UInt64] = [:]

  public init() {}

  /// Records one process.
  public mutating func add(pid: Int32, parent: Int32, residentBytes: UInt64) {
    children[parent, default: []].append(pid)
    rss[pid] = residentBytes
  }

  /// Resident memory of a process and its descendants; nil when the
  /// process is not in the table.
  public func treeMemory(of pid: Int32) -> UInt64? {
    guard rss[pid] != nil else { return nil }
    var total: UInt64 = 0
    var stack = [pid]
    while let p = stack.popLast() {
      total += rss[p] ?? 0
      stack += children[p] ?? []
    }
    return total
  }
}

extension ProcessTable {
  /// The table from `ps -axo pid=,ppid=,rss=` (rss in KiB), which BSD and
  /// procps `ps` print alike.
  public init(psOutput: String) {
    self.init()
    for line in psOutput.split(separator: "\n") {
      let fields = line.split(separator: " ", omittingEmptySubsequences: true)
      guard fields.count == 3, let pid = Int32(fields[0]), let parent = Int32(fields[1]),
        let kib = UInt64(fields[2])
      else { continue }
      add(pid: pid, parent: parent, residentBytes: kib * 1024)
    }
  }
}
