import Foundation

/// `usage.json` in the state directory: the tokens each worker used, per
/// UTC day, and how far each of its agent's records has been read. Kept
/// apart from `state.json` so a worker's figures outlive its record (a
/// finished worker's usage stays) and hooks that rewrite the state never
/// carry it.
public struct UsageLedger: Codable, Hashable, Sendable {
  /// How far one file has been read.
  public struct Cursor: Codable, Hashable, Sendable {
    /// Bytes read: everything up to the last whole line.
    public var offset: UInt64
    /// The file's inode: another file under the same name is read from 0.
    public var inode: UInt64
    /// Claude Code: the last responses counted (`ClaudeTranscriptUsage`).
    public var recent: [String]?
    /// Aider: the day of the last session header.
    public var day: String?
  }

  public struct Worker: Codable, Hashable, Sendable {
    public var bead: String
    public var project: String
    public var account: String?
    public var agent: String?
    /// Where its figures come from; `none` shows "?".
    public var source: String
    public var days: [String: Tokens] = [:]
    public var cursors: [String: Cursor] = [:]
    /// Its record is gone and its files were read once more after: not
    /// read again (its agent is stopped), so the ledger's cost per look
    /// does not grow with the finished workers it keeps.
    public var finished: Bool? = nil
  }

  public var workers: [String: Worker] = [:]

  public init(workers: [String: Worker] = [:]) { self.workers = workers }
}

extension StateStore {
  var usageFile: String { "\(directory)/usage.json" }

  /// The ledger; empty when there is none yet. A damaged one is an error,
  /// as the state file's is: read as empty, the next write would drop
  /// every finished worker's figures.
  func loadUsage() throws -> UsageLedger {
    guard let data = try StateFiles.read(usageFile) else { return UsageLedger() }
    do {
      return try Self.decoder.decode(UsageLedger.self, from: data)
    } catch {
      throw StateError(message: "\(usageFile) is damaged (\(describe(error))); move it away and run again: wt reads the agents' records again from the start")
    }
  }

  /// Reads, changes and writes the ledger under its own lock.
  func updateUsage<T>(_ change: (inout UsageLedger) throws -> T) throws -> T {
    try StateFiles.locked("\(directory)/usage.lock") {
      let before = try loadUsage()
      var ledger = before
      let result = try change(&ledger)
      if ledger != before { try StateFiles.write(try Self.lineEncoder.encode(ledger), to: usageFile) }
      return result
    }
  }
}
