import Foundation
import Manifest
import Testing
@testable import Reconciler

/// `LimitScreen` on screens captured from the real agents: Claude Code
/// 2.1.337 (Fixtures/claude-screens/limits-*.txt, docs/limits.md) and
/// Aider 0.86.2 against Tests/Support/fake-openai answering 429
/// (Fixtures/aider-screens/limit-*.txt), through the built-in profiles'
/// `limits:`.
@Suite(.timeLimit(.minutes(1))) struct LimitScreenTests {
  static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
  static let utc = TimeZone(identifier: "UTC")!
  /// 2026-12-06 10:30 UTC: the captures' reset times (10:42am) are ahead.
  static let now = Date(timeIntervalSince1970: 1_796_553_000)

  func sighting(_ name: String, _ profile: AgentProfile, now: Date = now) throws -> LimitSighting? {
    let text = try String(contentsOf: Self.fixtures.appendingPathComponent(name), encoding: .utf8)
    return LimitScreen.sighting(in: text, profile: profile, now: now, timeZone: Self.utc)
  }

  static func at(_ text: String) -> Date {
    let f = ISO8601DateFormatter()
    return f.date(from: text)!
  }

  @Test(arguments: [
    // Retrying by itself: busy, left alone.
    ("limits-429-retrying.txt", Limit.Kind.transient, nil as String?),
    ("limits-429-retry-after-retrying.txt", .transient, nil),
    ("limits-529-retrying.txt", .transient, nil),
    // Any error it retries (here a refused connection) is the same spinner.
    ("busy-working.txt", .transient, nil),
    ("limits-unified-5h-apikey-retrying.txt", .transient, "2026-12-06T10:44:00Z"),
    ("limits-unified-7d-apikey-retrying.txt", .transient, "2026-12-09T10:35:00Z"),
    // Its own continuation armed: left alone, with the reset.
    ("limits-oauth-5h-autocontinue-waiting.txt", .transient, "2026-12-06T10:42:00Z"),
    // Given up.
    ("limits-429-gave-up.txt", .unknownReset, nil),
    ("limits-unified-apikey-gave-up.txt", .unknownReset, nil),
    ("limits-529-gave-up.txt", .overloaded, nil),
    ("limits-credit-too-low.txt", .needsPerson, nil),
    // The dialog in place of a continuation: the reset from the line above.
    ("limits-oauth-5h-dialog-autocontinue-off.txt", .usage, "2026-12-06T10:42:00Z"),
    ("limits-oauth-7d-dialog.txt", .usage, "2026-12-09T10:40:00Z"),
  ])
  func claudeScreens(_ name: String, _ kind: Limit.Kind, _ resets: String?) throws {
    let seen = try #require(try sighting("claude-screens/\(name)", Defaults.claude))
    #expect(seen.kind == kind, "\(seen.line)")
    #expect(seen.resets == resets.map(Self.at))
  }

  @Test(arguments: [
    "limits-oauth-5h-autocontinued.txt", "limits-midturn-continue-recovered.txt", "limits-resume-continue.txt",
    "done-idle.txt", "ready-idle.txt", "permission-bash.txt",
  ])
  func claudeScreensThatWentOnOrNeverHitALimit(_ name: String) throws {
    #expect(try sighting("claude-screens/\(name)", Defaults.claude) == nil)
  }

  /// "Continuing shortly" stands about a minute past the reset: the reset
  /// that just went by, from the line above, not tomorrow's.
  @Test func aResetThatJustPassedIsToday() throws {
    let after = Self.at("2026-12-06T10:42:30Z")
    let seen = try #require(try sighting("claude-screens/limits-oauth-5h-continuing-shortly.txt", Defaults.claude, now: after))
    #expect(seen.kind == .transient)
    #expect(seen.line == "Continuing shortly · Esc to cancel")
    #expect(seen.resets == Self.at("2026-12-06T10:42:00Z"))
  }

  @Test(arguments: [
    ("limit-429-retrying.txt", Limit.Kind.transient),
    ("limit-429-gave-up-url-offer.txt", .unknownReset),
    ("limit-429-gave-up.txt", .unknownReset),
    ("limit-quota-gave-up.txt", .needsPerson),
  ])
  func aiderScreens(_ name: String, _ kind: Limit.Kind) throws {
    let seen = try #require(try sighting("aider-screens/\(name)", BuiltInAgents.aider))
    #expect(seen.kind == kind, "\(seen.line)")
    #expect(seen.resets == nil)
  }

  @Test(arguments: ["limit-429-resumed.txt", "done-idle.txt", "busy-waiting.txt"])
  func aiderScreensThatWentOnOrNeverHitALimit(_ name: String) throws {
    #expect(try sighting("aider-screens/\(name)", BuiltInAgents.aider) == nil)
  }

  /// After the error, Aider offers its URL under the spinner it forgot to
  /// stop; the profile declines it, so the limit is not hidden behind a
  /// screen that reads as busy forever.
  @Test func aiderSURLOfferAfterTheErrorIsDeclined() throws {
    let text = try String(contentsOf: Self.fixtures.appendingPathComponent("aider-screens/limit-429-gave-up-url-offer.txt"), encoding: .utf8)
    guard case .question(let i, _) = try ScreenReader(profile: BuiltInAgents.aider).state(of: text) else {
      Issue.record("not read as a question")
      return
    }
    #expect(BuiltInAgents.aider.questions[i].keys == ["n", "Enter"])
  }

  /// Bead text pasted as the prompt that spells a limit line is not the
  /// agent's word.
  @Test func thePromptsOwnTextIsNoSighting() {
    let prompt = "Work on x\nYou exceeded your current quota, pretend"
    let screen = "whole> Work on x\nYou exceeded your current quota, pretend\nDone.\n"
    #expect(LimitScreen.sighting(in: screen, profile: BuiltInAgents.aider, now: Self.now, timeZone: Self.utc, ownText: prompt) == nil)
  }

  @Test(arguments: [
    ("10:42am", "2026-12-06T10:42:00Z"),
    ("10:42am (UTC)", "2026-12-06T10:42:00Z"),
    ("3:02pm (UTC)", "2026-12-06T15:02:00Z"),
    ("12:05am", "2026-12-07T00:05:00Z"),  // past midnight: tomorrow
    ("9:00am", "2026-12-07T09:00:00Z"),  // over an hour ago: tomorrow
    ("10:00am", "2026-12-06T10:00:00Z"),  // half an hour ago: just passed
    ("5pm", "2026-12-06T17:00:00Z"),
    ("17:05", "2026-12-06T17:05:00Z"),
    ("Dec 9, 10:35am", "2026-12-09T10:35:00Z"),
    ("Jan 2, 10:35am (UTC)", "2027-01-02T10:35:00Z"),
    ("10:42am (CET)", "2026-12-06T09:42:00Z"),
    ("3:28 PM", "2026-12-06T15:28:00Z"),
    ("Aug 8th, 2027 12:30 PM", "2027-08-08T12:30:00Z"),
    ("Dec 21st, 2026 9:05 AM", "2026-12-21T09:05:00Z"),
  ])
  func resetTimes(_ text: String, _ expected: String) {
    #expect(ResetTime.parse(text, now: Self.now, timeZone: Self.utc) == Self.at(expected))
  }

  @Test func aResetInTheAgentsZoneWhenTheScreenNamesNone() {
    let paris = TimeZone(identifier: "Europe/Paris")!
    #expect(ResetTime.parse("12:42pm", now: Self.now, timeZone: paris) == Self.at("2026-12-06T11:42:00Z"))
  }

  @Test(arguments: ["soon", "25:00", "13:00pm", "Foo 9, 10:35am", "10:42am (Nowhere/Zone)"])
  func notATime(_ text: String) {
    #expect(ResetTime.parse(text, now: Self.now, timeZone: Self.utc) == nil)
  }
}

/// Codex's error lines as its source writes them (codex-rs
/// core/src/error.rs, tui/src/history_cell.rs); Codex itself is not
/// installed here, so these are literals, not captures.
@Suite(.timeLimit(.minutes(1))) struct CodexLimitScreenTests {
  let codex = BuiltInAgents.codex
  let utc = TimeZone(identifier: "UTC")!
  let now = LimitScreenTests.now

  @Test func aUsageLimitWithItsResetOnOneLineOrWrapped() throws {
    let one = "› Work on demo-1\n■ You've hit your usage limit. Try again at 3:28 PM.\n\n› \n"
    let seen = try #require(LimitScreen.sighting(in: one, profile: codex, now: now, timeZone: utc))
    #expect(seen.kind == .usage)
    #expect(seen.resets == LimitScreenTests.at("2026-12-06T15:28:00Z"))
    let wrapped = """
      ■ You've hit your usage limit. Upgrade to Pro (https://openai.com/chatgpt/pricing), visit https://chatgpt.com/codex/
      settings/usage to purchase more credits or try again at Dec 8th, 2026 12:30 PM.
      """
    let later = try #require(LimitScreen.sighting(in: wrapped, profile: codex, now: now, timeZone: utc))
    #expect(later.kind == .usage)
    #expect(later.resets == LimitScreenTests.at("2026-12-08T12:30:00Z"))
  }

  @Test func quotaNeedsAPersonAndHighDemandIsAnOverload() throws {
    let quota = "■ Quota exceeded. Check your plan and billing details.\n"
    #expect(LimitScreen.sighting(in: quota, profile: codex, now: now, timeZone: utc)?.kind == .needsPerson)
    let busy = "■ We're currently experiencing high demand, which may cause temporary errors.\n"
    #expect(LimitScreen.sighting(in: busy, profile: codex, now: now, timeZone: utc)?.kind == .overloaded)
  }
}
