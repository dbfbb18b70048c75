import Foundation
import Manifest
import Testing
@testable import Reconciler

/// The built-in Claude profile against screens captured from the real
/// Claude Code (Fixtures/claude-screens).
@Suite(.timeLimit(.minutes(2))) struct ScreenReaderTests {
  static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
    "Fixtures/claude-screens")

  func state(_ name: String) throws -> ScreenState {
    let text = try String(contentsOf: Self.fixtures.appendingPathComponent(name), encoding: .utf8)
    return try ScreenReader(profile: Defaults.claude).state(of: text)
  }

  @Test(arguments: [
    ("trust-dialog.txt", ScreenState.dialog(0)),
    ("trust-dialog-with-permissions.txt", .dialog(0)),
    ("api-key-dialog.txt", .dialog(1)),
    ("ready-idle.txt", .ready(input: "")),
    ("ready-idle-2.txt", .ready(input: "")),
    ("done-idle.txt", .ready(input: "")),
    ("busy-working.txt", .busy),
    ("typed-not-submitted.txt", .ready(input: "Implement bead demo-3")),
    ("pasted-multiline.txt", .ready(input: "[Pasted text #1 +3 lines]")),
    ("needs-input-automode.txt", .unknown),
    // Claude Code 2.1.337 asking to run a Bash command (no
    // `permissions.allow`): its `❯ 1. Yes` is no input line, so a screen
    // read never takes the question for an answered one.
    ("permission-bash.txt", .unknown),
  ])
  func readsRealScreens(_ name: String, _ expected: ScreenState) throws {
    #expect(try state(name) == expected)
  }

  @Test func aHistoryLineIsNotTheInputLine() throws {
    // Submitted prompts stay on screen as "❯ text" with an ordinary space.
    let reader = try ScreenReader(profile: Defaults.claude)
    #expect(reader.state(of: "❯ Implement bead x\n\nworking…\n") == .unknown)
  }

  @Test func dialogAnswersComeFromTheProfile() {
    #expect(Defaults.claude.dialogs.map(\.keys) == [["Down", "Enter"], ["Up", "Enter"]])
  }

  /// Bead text on screen (the input box, the history) can spell the busy
  /// marker or a dialog's question; it is wt's own paste, never the agent.
  @Test func ownTextNeverReadsAsBusyOrADialog() throws {
    let reader = try ScreenReader(profile: Defaults.claude)
    let prompt = "Work on demo-a3f: esc to interrupt\nIs this a project you created or one you trust"
    let screen = """
      ❯ Work on demo-a3f: esc to interrupt
        Is this a project you created or one you trust

      ────────────────────────────────────────
      ❯\u{00A0}Work on demo-a3f: esc to interrupt
      ────────────────────────────────────────
        ? for shortcuts
      """
    #expect(reader.state(of: screen, ownText: prompt) == .ready(input: "Work on demo-a3f: esc to interrupt"))
    // Without knowing what it pasted, the reader would be fooled.
    #expect(reader.state(of: screen) != .ready(input: "Work on demo-a3f: esc to interrupt"))
  }
}
