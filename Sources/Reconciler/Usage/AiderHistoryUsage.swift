import Foundation

/// The tokens in lines of Aider's `.aider.chat.history.md`, read as they
/// are appended.
///
/// After each reply Aider writes its token report to the screen and, as a
/// quoted line, to the chat history (aider/coders/base_coder.py
/// `calculate_and_show_tokens_and_cost`, aider/io.py `tool_output`):
///
///     > Tokens: 12k sent, 2.0k cache write, 1.5k cache hit, 300 received. Cost: …
///
/// "sent" includes the cache writes when the provider reports cache
/// figures; the counts are rounded as `format_tokens` (aider/utils.py)
/// writes them: `56`, `1.2k`, `12k`. The lines carry no time: a report
/// belongs to the day of the session header before it, `# aider chat
/// started at 2026-12-06 15:02:33`, in the local time of the machine Aider
/// runs on (aider/io.py, `datetime.now()`).
public struct AiderHistoryUsage: Sendable {
  /// The UTC day of the last session header read.
  public private(set) var day: String
  public var timeZone: TimeZone

  public init(day: String = UsageDay.unknown, timeZone: TimeZone = .current) {
    self.day = day
    self.timeZone = timeZone
  }

  public mutating func turns(in lines: Data) -> [ClaudeTranscriptUsage.Turn] {
    var out: [ClaudeTranscriptUsage.Turn] = []
    for raw in lines.split(separator: UInt8(ascii: "\n")) {
      guard let line = String(data: Data(raw), encoding: .utf8) else { continue }
      if line.hasPrefix("# aider chat started at ") {
        day = header(String(line.dropFirst("# aider chat started at ".count))) ?? UsageDay.unknown
      } else if line.hasPrefix("> Tokens: "), let tokens = Self.report(line) {
        out.append(.init(day: day, tokens: tokens))
      }
    }
    return out
  }

  /// `2026-12-06 15:02:33` in `timeZone` → its UTC day.
  func header(_ text: String) -> String? {
    let parts = text.trimmingCharacters(in: .whitespaces).split(whereSeparator: { $0 == " " || $0 == "-" || $0 == ":" })
    guard parts.count >= 6 else { return nil }
    let n = parts.prefix(6).compactMap { Int($0) }
    guard n.count == 6 else { return nil }
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = timeZone
    let components = DateComponents(year: n[0], month: n[1], day: n[2], hour: n[3], minute: n[4], second: n[5])
    return calendar.date(from: components).map(UTCDay.of)
  }

  /// `> Tokens: 12k sent, 2.0k cache write, 1.5k cache hit, 300 received.`
  static func report(_ line: String) -> Tokens? {
    guard let end = line.range(of: " received.") else { return nil }
    let body = line[line.index(line.startIndex, offsetBy: "> Tokens: ".count)..<end.upperBound].dropLast(".".count)
    var figures: [String: Int] = [:]
    for part in body.split(separator: ",") {
      let words = part.trimmingCharacters(in: .whitespaces).split(separator: " ", maxSplits: 1)
      guard words.count == 2, let count = count(String(words[0])) else { return nil }
      figures[String(words[1])] = count
    }
    guard let sent = figures["sent"], let received = figures["received"] else { return nil }
    let write = figures["cache write"] ?? 0
    return Tokens(input: max(0, sent - write), output: received, cacheRead: figures["cache hit"] ?? 0, cacheWrite: write)
  }

  /// `56`, `1.2k`, `12k`.
  static func count(_ text: String) -> Int? {
    if text.hasSuffix("k"), let v = Double(text.dropLast()) { return Int((v * 1000).rounded()) }
    return Int(text)
  }
}
