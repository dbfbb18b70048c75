import Foundation

/// The tokens in lines of a Claude Code session transcript
/// (`<session>.jsonl`), read as they are appended.
///
/// Each model response is one `type:"assistant"` record whose
/// `message.usage` holds `input_tokens`, `output_tokens`,
/// `cache_creation_input_tokens` and `cache_read_input_tokens`; its
/// `timestamp` (ISO 8601, UTC) says the day (docs/usage.md). A response of
/// several content blocks is written as several records that share one
/// `message.id` and repeat its usage, so a response is counted once per
/// `message.id` and `requestId`. A turn that ended on an API error is a
/// synthetic record (`isApiErrorMessage`, all-zero usage): skipped.
public struct ClaudeTranscriptUsage: Sendable {
  /// The last responses counted, to skip their repeats. Repeats follow
  /// their first record closely, so a short memory suffices and the cursor
  /// stays small however long the session runs.
  public private(set) var recent: [String]
  public static let memory = 64

  public init(recent: [String] = []) { self.recent = recent }

  /// One counted response.
  public struct Turn: Equatable, Sendable {
    public var day: String
    public var tokens: Tokens
  }

  private struct Record: Decodable {
    struct Message: Decodable {
      struct Usage: Decodable {
        var input_tokens: Int?
        var output_tokens: Int?
        var cache_creation_input_tokens: Int?
        var cache_read_input_tokens: Int?
      }
      var id: String?
      var usage: Usage?
    }
    var type: String?
    var timestamp: String?
    var requestId: String?
    var isApiErrorMessage: Bool?
    var message: Message?
  }

  private static let decoder = JSONDecoder()
  private static let usageKey = Array("\"usage\"".utf8)

  /// The responses in `lines` (whole lines only: the caller keeps a torn
  /// last line for the next read). A line that is not JSON is skipped.
  public mutating func turns(in lines: Data) -> [Turn] {
    var out: [Turn] = []
    for line in lines.split(separator: UInt8(ascii: "\n")) {
      // Tool results make most of a transcript's bytes; a line without a
      // usage object is not decoded at all.
      guard line.count > 20, Self.contains(line, Self.usageKey),
        let record = try? Self.decoder.decode(Record.self, from: line),
        record.type == "assistant", record.isApiErrorMessage != true,
        let message = record.message, let usage = message.usage
      else { continue }
      if let id = message.id {
        let key = id + "|" + (record.requestId ?? "")
        if recent.contains(key) { continue }
        recent.append(key)
        if recent.count > Self.memory { recent.removeFirst(recent.count - Self.memory) }
      }
      let tokens = Tokens(
        input: usage.input_tokens ?? 0, output: usage.output_tokens ?? 0,
        cacheRead: usage.cache_read_input_tokens ?? 0, cacheWrite: usage.cache_creation_input_tokens ?? 0)
      out.append(Turn(day: Self.day(record.timestamp), tokens: tokens))
    }
    return out
  }

  /// `2026-12-06T15:02:33.123Z` → `2026-12-06`; another zone is
  /// converted; no readable time is "unknown".
  static func day(_ timestamp: String?) -> String {
    guard let timestamp else { return UsageDay.unknown }
    if timestamp.hasSuffix("Z"), timestamp.count >= 10 { return String(timestamp.prefix(10)) }
    let parsed = (try? Date(timestamp, strategy: .iso8601))
      ?? (try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(timestamp))
    return parsed.map(UTCDay.of) ?? UsageDay.unknown
  }

  static func contains(_ haystack: Data.SubSequence, _ needle: [UInt8]) -> Bool {
    haystack.withUnsafeBytes { raw in
      needle.withUnsafeBytes { n in
        // memchr and memcmp, not a Swift loop: most of a transcript's
        // bytes pass through here.
        guard let base = raw.baseAddress, let first = n.first, raw.count >= n.count else { return false }
        var at = base
        let end = base + (raw.count - n.count)
        while at <= end, let hit = memchr(at, Int32(first), end - at + 1) {
          if memcmp(hit, n.baseAddress!, n.count) == 0 { return true }
          at = UnsafeRawPointer(hit) + 1
        }
        return false
      }
    }
  }
}

public enum UsageDay {
  /// The day of figures whose record carries no time.
  public static let unknown = "unknown"
}
