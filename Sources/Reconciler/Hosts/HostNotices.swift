import Foundation

/// What this machine last saw of workers on hosts, in `hosts.json` in the
/// state folder: the status line counts the ones that need a person
/// without asking any host, and a worker's call reaches `notify` once,
/// whoever saw it first (the hub, `wt status`, `wt apply --watch`).
public struct HostNotices: Sendable {
  public var directory: String
  /// A host not heard from for this long no longer counts in the status
  /// line: it may have answered its workers' calls since.
  public static let freshFor: TimeInterval = 180

  public init(directory: String) { self.directory = directory }

  struct Seen: Codable, Equatable {
    var status: WorkerState
    var message: String?
    /// Only a person moves it on (`WorkerStatus.needsPerson`); nil in
    /// files written before it was kept, read as its status says.
    var needsPerson: Bool?
  }

  struct File: Codable {
    /// By "HOST WORKER".
    var workers: [String: Seen] = [:]
    /// When each host was last heard from.
    var heard: [String: Date] = [:]
  }

  var file: String { "\(directory)/hosts.json" }

  /// Records what `rows` show of the hosts in `reached` (a host asked and
  /// answering with no rows has no workers); returns the rows that newly
  /// entered a status worth telling a person.
  @discardableResult
  public func record(_ rows: [WorkerStatus], reached: [String], now: Date = Date()) throws -> [WorkerStatus] {
    try StateFiles.locked("\(directory)/hosts.lock") { try remember(rows, reached: reached, now: now) }
  }

  private func remember(_ rows: [WorkerStatus], reached: [String], now: Date) throws -> [WorkerStatus] {
    var known = load()
    var told: [WorkerStatus] = []
    for host in reached {
      known.heard[host] = now
      let mine = rows.filter { $0.host == host }
      for key in known.workers.keys where key.hasPrefix(host + " ") && !mine.contains(where: { "\(host) \($0.name)" == key }) {
        known.workers[key] = nil
      }
      for row in mine {
        let key = "\(host) \(row.name)"
        let seen = Seen(status: row.status, message: row.message, needsPerson: row.needsPerson)
        if row.status.notifies && known.workers[key] != seen { told.append(row) }
        known.workers[key] = seen
      }
    }
    let encoder = JSONEncoder()
    encoder.dateEncodingStrategy = .iso8601
    encoder.outputFormatting = [.sortedKeys]
    try StateFiles.write(try encoder.encode(known), to: file)
    return told
  }

  /// Workers on hosts that need a person, as last seen from a host heard
  /// from lately.
  public func attention(now: Date = Date()) -> Int {
    let known = load()
    return known.workers.filter { key, seen in
      guard seen.needsPerson ?? seen.status.needsPerson, let host = key.split(separator: " ").first.map(String.init),
        let heard = known.heard[host]
      else { return false }
      return now.timeIntervalSince(heard) < Self.freshFor
    }.count
  }

  func load() -> File {
    let decoder = JSONDecoder()
    decoder.dateDecodingStrategy = .iso8601
    guard let data = try? StateFiles.read(file), let known = try? decoder.decode(File.self, from: data) else { return File() }
    return known
  }
}
