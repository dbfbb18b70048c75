/// Text from beads, repositories and agents' screens, made inert before it
/// reaches a terminal or an agent. Bead titles and descriptions are written
/// by other people; a control byte in them could end a bracketed paste and
/// type keys into an agent, or rewrite what a person reads.
public enum InertText {
  /// Scalars a terminal acts on instead of showing: C0 controls, DEL, C1
  /// controls (U+0080–U+009F; 8-bit CSI is U+009B), and the line and
  /// paragraph separators.
  static func isControl(_ s: Unicode.Scalar) -> Bool {
    s.value < 0x20 || (0x7F...0x9F).contains(s.value) || s.value == 0x2028 || s.value == 0x2029
  }

  /// Invisible scalars that reorder or hide text on screen: every format
  /// character (bidi overrides and isolates, zero-width marks, soft hyphen,
  /// tag characters that can spell hidden instructions) but the zero-width
  /// joiner emoji are made of, and the blank fillers that look like
  /// nothing. Shown escaped, and removed from prompts, so text cannot
  /// display or read as something other than what it is.
  static func isDeceptive(_ s: Unicode.Scalar) -> Bool {
    if s.value == 0x200D { return false }
    if s.properties.generalCategory == .format { return true }
    return [0x115F, 0x1160, 0x180E, 0x3164, 0xFFA0].contains(s.value) || (0xE0000...0xE007F).contains(s.value)
  }

  /// Bracketed-paste markers in both encodings (7-bit `ESC [`, 8-bit CSI).
  static let pasteMarkers = ["\u{1B}[200~", "\u{1B}[201~", "\u{9B}200~", "\u{9B}201~"]
}

/// Text to paste into an agent's input.
public enum PromptText {
  /// The prompt as the agent must receive it: line endings made `\n`
  /// (CR LF, CR, U+2028/2029), the bracketed-paste markers removed whole,
  /// then every other control character removed — only `\n` and tab stay —
  /// and trailing newlines dropped.
  /// So the paste can neither end early nor press a key, and the agent gets
  /// exactly one submission with this text.
  ///
  /// An agent reads a leading `!` (a shell command in Claude Code), `/` (a
  /// slash command), `#` or `@` as an instruction to itself, not as text;
  /// such a prompt is indented by one space, which the agent passes on as
  /// text.
  public static func sanitize(_ text: String) -> String {
    var t = text.replacingOccurrences(of: "\r\n", with: "\n")
    for marker in InertText.pasteMarkers { t = t.replacingOccurrences(of: marker, with: "") }
    var out = String.UnicodeScalarView()
    for s in t.unicodeScalars {
      switch s.value {
      case 0x0A, 0x09: out.append(s)
      case 0x0D, 0x2028, 0x2029: out.append("\n")
      default: if !InertText.isControl(s) && !InertText.isDeceptive(s) { out.append(s) }
      }
    }
    // A trailing newline only adds an empty last line (and tmux's paste
    // drops it anyway).
    var result = String(out)
    while result.hasSuffix("\n") { result.removeLast() }
    // By scalar, not by character: `!` with a combining mark is one
    // character that is not "!", yet the agent reads its first byte.
    let head = result.unicodeScalars.drop { $0.properties.isWhitespace || $0.properties.generalCategory == .nonspacingMark }
    if let first = head.first, Self.commandSigils.contains(first) {
      result = " " + String(String.UnicodeScalarView(head))
    }
    return result
  }

  /// What an agent reads as a command to itself when it starts its input:
  /// `!` a shell command and `/` a slash command (Claude Code), `#` a
  /// memory note (older Claude Code), `@` a file to attach.
  static let commandSigils: Set<Unicode.Scalar> = ["!", "/", "#", "@"]

  /// An argument for `notify` and other commands wt runs with bead text:
  /// the same bytes removed, on one line.
  public static func argument(_ text: String) -> String {
    sanitize(text).replacingOccurrences(of: "\n", with: " ")
  }
}

/// Text to print on a terminal.
public enum TerminalText {
  /// Every control and deceptive character shown as an escape (`\e`, `\r`,
  /// `\x07`, `\u{202E}`); the text itself otherwise unchanged. Use for
  /// anything that came from bd, a repository, an agent or its screen.
  /// `keepNewlines` keeps `\n` (and tab) for text shown as several lines.
  public static func escape(_ text: String, keepNewlines: Bool = false) -> String {
    var out = ""
    for s in text.unicodeScalars {
      switch s.value {
      case 0x0A where keepNewlines, 0x09 where keepNewlines: out.unicodeScalars.append(s)
      case 0x0A: out += "\\n"
      case 0x09: out += "\\t"
      case 0x0D: out += "\\r"
      case 0x1B: out += "\\e"
      default:
        if InertText.isControl(s) || InertText.isDeceptive(s) {
          out += s.value <= 0xFF ? "\\x" + hex(s.value, digits: 2) : "\\u{" + hex(s.value, digits: 4) + "}"
        } else {
          out.unicodeScalars.append(s)
        }
      }
    }
    return out
  }

  /// JSON text with the scalars JSON does not require escaping but a
  /// terminal acts on (DEL, C1, separators) written as `\uXXXX`, so that
  /// printing JSON is as safe as printing text; decoders read the same
  /// string.
  public static func safeJSON(_ json: String) -> String {
    var out = ""
    for s in json.unicodeScalars {
      // Newline, tab and CR only stand between tokens: JSON escapes them
      // inside strings.
      if s.value != 0x0A && s.value != 0x09 && s.value != 0x0D && InertText.isControl(s) || InertText.isDeceptive(s) {
        out += "\\u" + hex(s.value, digits: 4)
      } else {
        out.unicodeScalars.append(s)
      }
    }
    return out
  }

  static func hex(_ value: UInt32, digits: Int) -> String {
    let h = String(value, radix: 16, uppercase: true)
    return String(repeating: "0", count: max(0, digits - h.count)) + h
  }
}
