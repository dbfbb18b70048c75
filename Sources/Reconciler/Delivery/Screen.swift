import Foundation
import Manifest

/// What an agent's screen says, read from `tmux capture-pane -p`.
public enum ScreenState: Equatable, Sendable {
  /// A start-up dialog the profile knows how to answer (index into
  /// `dialogs`).
  case dialog(Int)
  /// The agent is working.
  case busy
  /// The agent takes input; `input` is what already stands in its input
  /// line (empty when clean).
  case ready(input: String)
  /// Anything else: still starting, or a screen wt does not know.
  case unknown
}

/// Reads screens for one agent profile. Pure: a screen in, a state out, so
/// it is tested on real captures.
public struct ScreenReader: Sendable {
  let ready: NSRegularExpression
  let busy: NSRegularExpression?
  let dialogs: [NSRegularExpression]

  public init(profile: AgentProfile) throws {
    ready = try NSRegularExpression(pattern: profile.ready)
    busy = try profile.busy.map { try NSRegularExpression(pattern: $0) }
    dialogs = try profile.dialogs.map { try NSRegularExpression(pattern: $0.match) }
  }

  public func state(of screen: String) -> ScreenState {
    let lines = screen.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    // A dialog covers the screen, so it wins; matched on the whole text
    // because dialog questions wrap across lines at narrow widths.
    let flat = lines.map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
    for (i, dialog) in dialogs.enumerated() where Self.matches(dialog, flat) { return .dialog(i) }
    if let busy, lines.contains(where: { Self.matches(busy, $0) }) { return .busy }
    // The input line is the last line that matches: earlier matches can be
    // scrollback.
    for line in lines.reversed() {
      let range = NSRange(line.startIndex..., in: line)
      if let m = ready.firstMatch(in: line, range: range), let r = Range(m.range, in: line) {
        let input = line[r.upperBound...].trimmingCharacters(in: .whitespaces.union(["\u{00A0}"]))
        return .ready(input: input)
      }
    }
    return .unknown
  }

  static func matches(_ regex: NSRegularExpression, _ text: String) -> Bool {
    regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
  }
}
