import Foundation

/// The state directory: `state.json` (worker records), `events.jsonl`
/// (history, append-only) and `apply.lock`.
public struct StateStore: Sendable {
  public var directory: String

  public init(directory: String) { self.directory = directory }

  /// `$WT_STATE_DIR`, else `$XDG_STATE_HOME/wt`, else `~/.local/state/wt`.
  public static func directory(environment: [String: String]) -> String {
    let home = environment["HOME"] ?? NSHomeDirectory()
    // A host's `state_dir` arrives as written, `~/…` for the host's home.
    if let d = environment["WT_STATE_DIR"], !d.isEmpty { return d.hasPrefix("~/") ? home + d.dropFirst(1) : d }
    if let x = environment["XDG_STATE_HOME"], !x.isEmpty { return "\(x)/wt" }
    return "\(home)/.local/state/wt"
  }

  var stateFile: String { "\(directory)/state.json" }
  var eventsFile: String { "\(directory)/events.jsonl" }

  static let encoder: JSONEncoder = {
    let e = JSONEncoder()
    e.outputFormatting = [.prettyPrinted, .sortedKeys]
    e.dateEncodingStrategy = .iso8601
    return e
  }()
  /// History lines: flat, sorted keys; cheaper than JSONSerialization,
  /// which every hook paid for.
  static let lineEncoder: JSONEncoder = {
    let e = JSONEncoder()
    e.outputFormatting = [.sortedKeys]
    return e
  }()
  static let decoder: JSONDecoder = {
    let d = JSONDecoder()
    d.dateDecodingStrategy = .iso8601
    return d
  }()

  /// The remembered state; empty when there is none yet or it was deleted.
  /// A state file that is there but unreadable or damaged is an error that
  /// changes nothing: read as empty, the next write would drop every other
  /// worker's record.
  public func load() throws -> State {
    guard let data = try StateFiles.read(stateFile) else { return State() }
    do {
      return try Self.decoder.decode(State.self, from: data)
    } catch {
      throw StateError(message: "\(stateFile) is damaged (\(describe(error))); move it away and run again: wt rebuilds what it can from the world")
    }
  }

  public func save(_ state: State) throws {
    try StateFiles.write(try Self.encoder.encode(state), to: stateFile)
  }

  /// Reads, changes and writes the state under a short lock, so concurrent
  /// `wt signal` calls from hooks never lose each other's updates.
  public func update<T>(_ change: (inout State) throws -> T) throws -> T {
    try StateFiles.locked("\(directory)/state.lock") {
      var state = try load()
      let result = try change(&state)
      try save(state)
      return result
    }
  }

  /// One line of history: what happened to which worker, when.
  public func record(_ event: HistoryEvent, worker: String, at date: Date = Date()) {
    // The ISO 8601 format style needs no ICU, unlike ISO8601DateFormatter,
    // whose set-up cost every hook paid.
    let entry = HistoryEntry(worker: worker, at: date.formatted(.iso8601), event: event)
    guard let data = try? Self.lineEncoder.encode(entry) else { return }
    try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    let fd = open(eventsFile, O_CREAT | O_RDWR | O_APPEND, 0o644)  // read: endsMidLine
    guard fd >= 0 else { return }
    defer { close(fd) }
    // A line left half-written by a crash or a full disk would swallow
    // this one: start on a new line. (Two writers that both see the torn
    // end leave an empty line, which readers skip.)
    var bytes = data + Data("\n".utf8)
    if Self.endsMidLine(fd) { bytes.insert(UInt8(ascii: "\n"), at: bytes.startIndex) }
    // One write of a short line with O_APPEND is atomic, so concurrent
    // writers never interleave inside a line.
    _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
  }

  /// Whether the file open at `fd` is non-empty and its last byte is not a
  /// newline.
  private static func endsMidLine(_ fd: Int32) -> Bool {
    var info = stat()
    guard fstat(fd, &info) == 0, info.st_size > 0 else { return false }
    var last: UInt8 = 0
    return pread(fd, &last, 1, off_t(info.st_size - 1)) == 1 && last != UInt8(ascii: "\n")
  }
}

public struct StateError: Error, CustomStringConvertible {
  public var message: String
  public var description: String { message }
}
