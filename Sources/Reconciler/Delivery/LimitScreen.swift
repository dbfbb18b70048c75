import Foundation
import Manifest

/// A limit seen on an agent's screen: what kind, until when (when the
/// screen says), and the line that said it.
public struct LimitSighting: Equatable, Sendable {
  public var kind: Limit.Kind
  public var resets: Date?
  /// The deciding line, trimmed: agent text, to be sanitised before it is
  /// shown.
  public var line: String

  public init(kind: Limit.Kind, resets: Date?, line: String) {
    self.kind = kind
    self.resets = resets
    self.line = line
  }
}

/// Reads a provider limit off an agent's screen with its profile's
/// `limits:` patterns (`AgentProfile.LimitPattern`). Pure: a screen, the
/// profile, the time and the agent's time zone in; a sighting or nil out.
public enum LimitScreen {
  /// `ownText`: what wt pasted; lines that show a piece of it are bead
  /// text, never the agent's word (`ScreenReader.shows`).
  public static func sighting(
    in screen: String, profile: AgentProfile, now: Date, timeZone: TimeZone, ownText: String = ""
  ) -> LimitSighting? {
    let patterns = profile.limits.compactMap { p in
      (try? NSRegularExpression(pattern: p.match)).map { (p, $0, p.resets.flatMap { try? NSRegularExpression(pattern: $0) }) }
    }
    guard !patterns.isEmpty else { return nil }
    var seen: [(kind: AgentProfile.LimitPattern.Kind, line: String, reset: String?)] = []
    for line in screen.split(separator: "\n").map(String.init) {
      guard !line.trimmingCharacters(in: .whitespaces).isEmpty, ownText.isEmpty || !ScreenReader.shows(line, partOf: ownText),
        let (pattern, _, resets) = patterns.first(where: { ScreenReader.matches($0.1, line) })
      else { continue }
      seen.append((pattern.kind, line.trimmingCharacters(in: .whitespaces), resets.flatMap { firstCapture($0, line) }))
    }
    if let cut = seen.lastIndex(where: { $0.kind == .resumed }) { seen.removeSubrange(...cut) }
    guard let last = seen.last else { return nil }
    func reset(_ upTo: Int) -> Date? {
      seen[...upTo].reversed().lazy.compactMap { $0.reset.flatMap { ResetTime.parse($0, now: now, timeZone: timeZone) } }.first
    }
    if last.kind == .transient { return LimitSighting(kind: .transient, resets: reset(seen.count - 1), line: last.line) }
    let block = (seen.lastIndex { $0.kind == .transient }.map { $0 + 1 } ?? 0)..<seen.count
    let worst = block.max { severity(seen[$0].kind) < severity(seen[$1].kind) || (severity(seen[$0].kind) == severity(seen[$1].kind) && $0 < $1) }!
    return LimitSighting(kind: limitKind(seen[worst].kind), resets: reset(seen.count - 1), line: seen[worst].line)
  }

  /// Which kind decides when one failure prints several lines (Aider
  /// prints the provider's "You exceeded your current quota" and then its
  /// own "rate limited you"): what a person must do first, then what has
  /// a clock.
  static func severity(_ kind: AgentProfile.LimitPattern.Kind) -> Int {
    switch kind {
    case .needsPerson: 4
    case .usage: 3
    case .unknownReset: 2
    case .overloaded: 1
    case .transient, .resumed: 0
    }
  }

  static func limitKind(_ kind: AgentProfile.LimitPattern.Kind) -> Limit.Kind {
    switch kind {
    case .usage: .usage
    case .unknownReset: .unknownReset
    case .overloaded: .overloaded
    case .needsPerson: .needsPerson
    case .transient, .resumed: .transient
    }
  }

  static func firstCapture(_ regex: NSRegularExpression, _ line: String) -> String? {
    guard let m = regex.firstMatch(in: line, range: NSRange(line.startIndex..., in: line)), m.numberOfRanges > 1,
      let r = Range(m.range(at: 1), in: line)
    else { return nil }
    return String(line[r]).trimmingCharacters(in: .whitespaces)
  }
}

/// A reset time as agents print it, made a date.
public enum ResetTime {
  static let form = try! NSRegularExpression(
    pattern: #"^(?:(?<month>[A-Z][a-z]{2})[a-z]* (?<day>\d{1,2})(?:st|nd|rd|th)?,?(?: (?<year>\d{4}))? )?(?<hour>\d{1,2})(?::(?<minute>\d{2}))?\s*(?<half>[AaPp][Mm])?(?:\s*\((?<zone>[^)]+)\))?$"#)
  static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

  /// Claude Code's forms (docs/limits.md): `10:42am` (today, or tomorrow
  /// when that time has passed: more than `justPassed` ago), `Dec 9,
  /// 10:35am` (the next such date),
  /// either with the zone in parentheses, `(UTC)`, when it shows one;
  /// without, the agent's `timeZone`. Also `5pm`, a 24-hour `17:05`, and
  /// Codex's `3:28 PM` and `Aug 8th, 2026 12:30 PM` (codex-rs
  /// core/src/error.rs, `format_retry_timestamp`, local time).
  public static func parse(_ text: String, now: Date, timeZone: TimeZone) -> Date? {
    let t = text.trimmingCharacters(in: .whitespaces)
    guard let m = form.firstMatch(in: t, range: NSRange(t.startIndex..., in: t)) else { return nil }
    func group(_ name: String) -> String? { Range(m.range(withName: name), in: t).map { String(t[$0]) } }
    var zone = timeZone
    if let name = group("zone") {
      guard let z = TimeZone(abbreviation: name) ?? TimeZone(identifier: name) else { return nil }
      zone = z
    }
    guard var hour = group("hour").flatMap(Int.init) else { return nil }
    let minute = group("minute").flatMap(Int.init) ?? 0
    if let half = group("half")?.lowercased() {
      guard (1...12).contains(hour) else { return nil }
      hour = hour % 12 + (half == "pm" ? 12 : 0)
    }
    guard (0...23).contains(hour), (0...59).contains(minute) else { return nil }
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = zone
    var parts = calendar.dateComponents([.year, .month, .day], from: now)
    parts.hour = hour
    parts.minute = minute
    if let month = group("month") {
      guard let index = months.firstIndex(of: month), let day = group("day").flatMap(Int.init) else { return nil }
      parts.month = index + 1
      parts.day = day
      if let year = group("year").flatMap(Int.init) {
        parts.year = year
        return calendar.date(from: parts)
      }
      guard let date = calendar.date(from: parts) else { return nil }
      // A date more than a day behind is next year's (a weekly reset
      // printed on Dec 30 for Jan 2).
      if date < now.addingTimeInterval(-86_400) { parts.year = (parts.year ?? 0) + 1 }
      return calendar.date(from: parts)
    }
    guard let today = calendar.date(from: parts) else { return nil }
    return today < now.addingTimeInterval(-justPassed) ? calendar.date(byAdding: .day, value: 1, to: today) : today
  }

  /// A time of day this little behind now is a reset that just went by
  /// on a screen that still shows it (Claude Code's "Continuing shortly"
  /// stands about a minute past the reset), not tomorrow's.
  public static let justPassed: TimeInterval = 3600
}
