import Foundation
import Manifest

/// What an agent's screen says, read from `tmux capture-pane -p`.
public enum ScreenState: Equatable, Sendable {
  /// A start-up dialog the profile knows how to answer (index into
  /// `dialogs`).
  case dialog(Int)
  /// A question the agent asks at work (index into the profile's
  /// `questions`); `text` is its last lines, as the screen shows them.
  case question(Int, text: String)
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
  let questions: [NSRegularExpression]

  public init(profile: AgentProfile) throws {
    ready = try NSRegularExpression(pattern: profile.ready)
    busy = try profile.busy.map { try NSRegularExpression(pattern: $0) }
    dialogs = try profile.dialogs.map { try NSRegularExpression(pattern: $0.match) }
    questions = try profile.questions.map { try NSRegularExpression(pattern: $0.match) }
  }

  /// `ownText`: what wt pasted (the prompt). Lines that show a piece of it
  /// — the input box, the history — are bead text, which may spell a
  /// dialog's question or the busy marker: they never count as either.
  /// Busy and ready are read on this many last non-blank lines: higher up
  /// is scrollback, where an old spinner or prompt (or bead text) says
  /// nothing about now.
  public static let tailLines = 12

  public func state(of screen: String, ownText: String = "") -> ScreenState {
    let all = screen.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    let lines = Array(all.filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }.suffix(Self.tailLines))
    let agentLines = ownText.isEmpty ? lines : lines.filter { !Self.shows($0, partOf: ownText) }
    // A dialog covers the screen, so it wins; matched on the whole text
    // because dialog questions wrap across lines at narrow widths.
    let everyLine = ownText.isEmpty ? all : all.filter { !Self.shows($0, partOf: ownText) }
    let flat = everyLine.map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
    for (i, dialog) in dialogs.enumerated() where Self.matches(dialog, flat) { return .dialog(i) }
    // A question waits on the last lines, over everything else.
    for (i, question) in questions.enumerated() where Self.matches(question, flat) {
      let text = agentLines.suffix(Self.questionLines).map { $0.trimmingCharacters(in: .whitespaces) }
      return .question(i, text: text.joined(separator: "\n"))
    }
    if let busy, agentLines.contains(where: { Self.matches(busy, $0) }) { return .busy }
    // The input line is the last line that matches: earlier matches can be
    // scrollback.
    for line in lines.reversed() {
      let range = NSRange(line.startIndex..., in: line)
      if let m = ready.firstMatch(in: line, range: range), let r = Range(m.range, in: line) {
        let input = line[r.upperBound...].trimmingCharacters(in: .whitespaces.union(["\u{00A0}"]))
        return .ready(input: Self.placeholders.contains(input) ? "" : input)
      }
    }
    return .unknown
  }

  /// Words an agent shows in an empty input box, not typed text: Claude
  /// Code 2.1.337 after a turn that ended on an API error (docs/limits.md).
  /// Typed text replaces them, so the box counts as empty.
  static let placeholders: Set<String> = ["Resend your message to try again", "Once fixed, resend your message"]

  /// A question's text as one line for a person: the question first (it
  /// waits on the last line), then what stands above it, nearest first
  /// (Aider: the command it wants to run, then its token count), so a
  /// table that cuts the line keeps the question.
  public static func questionSummary(_ text: String) -> String {
    let lines = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    guard let last = lines.last else { return "" }
    return ([last] + lines.dropLast().reversed()).joined(separator: " — ")
  }

  /// How many last lines are kept as a question's text: the question and
  /// what it is about (Aider prints the file or the command above it).
  static let questionLines = 3

  /// How many non-blank lines stand below the input line (the last line
  /// matching `ready`), nil when there is none: an input line far above
  /// the bottom is scrollback, not where the cursor waits.
  public func linesBelowInput(_ screen: String) -> Int? {
    let lines = screen.split(separator: "\n").map(String.init)
      .filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }.suffix(Self.tailLines)
    guard let i = lines.lastIndex(where: { Self.matches(ready, $0) }) else { return nil }
    return lines.endIndex - 1 - i
  }

  /// Whether a screen line shows a piece of `text`: a line of it (of some
  /// length) inside the screen line, or the screen line (less the agent's
  /// prompt marks) inside the text.
  static func shows(_ line: String, partOf text: String) -> Bool {
    let trimmed = line.trimmingCharacters(in: .whitespaces.union(["\u{00A0}", "❯", ">", "│", "|"]))
    guard trimmed.count >= 6 else { return false }
    if text.contains(trimmed) { return true }
    return text.split(separator: "\n").contains { piece in
      let p = piece.trimmingCharacters(in: .whitespaces)
      return p.count >= 6 && line.contains(p)
    }
  }

  static func matches(_ regex: NSRegularExpression, _ text: String) -> Bool {
    regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
  }
}
