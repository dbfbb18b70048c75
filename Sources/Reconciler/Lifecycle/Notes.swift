import Foundation

/// Hand-over notes per bead, under the state directory, newest last.
/// `wt handoff` writes one; `wt prime` prints the latest with the bead.
public struct HandoffNotes: Sendable {
  public var store: StateStore

  public init(store: StateStore) { self.store = store }

  func folder(_ bead: String) -> String { "\(store.directory)/handoffs/\(bead)" }

  public func save(_ text: String, bead: String, at date: Date = Date()) throws -> String {
    try FileManager.default.createDirectory(atPath: folder(bead), withIntermediateDirectories: true)
    let stamp = ISO8601DateFormatter().string(from: date).replacingOccurrences(of: ":", with: "")
    let path = "\(folder(bead))/\(stamp)-\(UUID().uuidString.prefix(6)).md"
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
  }

  public func latest(bead: String) -> String? {
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder(bead)), let last = names.sorted().last
    else { return nil }
    return try? String(contentsOfFile: "\(folder(bead))/\(last)", encoding: .utf8)
  }
}
