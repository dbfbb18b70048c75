import Foundation
import Manifest

/// How a delivery ended.
public enum DeliveryOutcome: Equatable, Sendable {
  case delivered
  /// The agent process is gone (a trust dialog answered wrong, a crash,
  /// or, after the prompt was sent, an agent that finished and ended its
  /// own session with `wt done`).
  case agentExited(afterSend: Bool)
  /// The screen never became one wt knows; the last lines are kept.
  case unknownScreen(String)
  /// Sent, but the agent never showed that it took the prompt.
  case notConfirmed
}

/// Delivers a prompt to an agent in a tmux pane, reliably:
/// wait for the agent's ready screen to hold still, answer its start-up
/// dialogs, make sure the input line is empty, paste the prompt bracketed,
/// wait past the agent's paste window, press Enter on its own, and verify
/// the prompt left the input box. Enter is retried, then the paste, with
/// backoff, until a deadline.
public struct PromptDelivery: Sendable {
  public var tmux: Tmux
  public var reader: ScreenReader
  public var dialogs: [AgentProfile.Dialog]
  public var deadline: Duration = .seconds(90)
  public var poll: Duration = .milliseconds(200)
  /// Claude Code takes input arriving within 100 ms as one paste and
  /// swallows an Enter inside it, so Enter waits longer than that.
  public var pasteWindow: Duration = .milliseconds(300)
  /// The ready glyph is drawn before the input handler listens, so the
  /// screen must stay unchanged this long first.
  public var settle: Duration = .milliseconds(600)

  public init(tmux: Tmux, profile: AgentProfile) throws {
    self.tmux = tmux
    reader = try ScreenReader(profile: profile)
    dialogs = profile.dialogs
  }

  /// `alreadySent`: an earlier attempt pasted and pressed Enter without
  /// confirmation; if the text still stands in the box only Enter is
  /// pressed, so the agent never gets the prompt twice. `onSent` is called
  /// before Enter so the caller can record "sent, not confirmed".
  public func deliver(
    _ rendered: String, to pane: String, alreadySent: Bool = false, onSent: @Sendable () async -> Void = {}
  ) async throws -> DeliveryOutcome {
    // Bead text is written by strangers: no byte of it may end the paste
    // or press a key.
    let prompt = PromptText.sanitize(rendered)
    let clock = ContinuousClock()
    let end = clock.now + deadline
    var lastScreen = ""
    var stableSince = clock.now
    var sent = alreadySent
    var enterTries = 0
    var pastes = 0

    while clock.now < end {
      guard try await tmux.isAlive(pane: pane) else { return .agentExited(afterSend: sent) }
      let screen = try await tmux.capture(pane: pane)
      if screen != lastScreen {
        lastScreen = screen
        stableSince = clock.now
      }
      switch reader.state(of: screen, ownText: prompt) {
      case .dialog where sent:
        // Start-up dialogs come before the prompt; one after it is the
        // agent at work asking something, which wt does not answer.
        return .delivered
      case .dialog(let i):
        try await tmux.sendKeys(pane: pane, dialogs[i].keys)
        // The dialog redraws or goes away; read again from scratch.
        try await Task.sleep(for: settle)
        lastScreen = ""
      case .busy:
        // Busy after our Enter means it took the prompt.
        if sent { return .delivered }
        try await Task.sleep(for: poll)
      case .unknown:
        try await Task.sleep(for: poll)
      case .ready(let input):
        guard clock.now - stableSince >= settle else {
          try await Task.sleep(for: poll)
          continue
        }
        if sent {
          if input.isEmpty {
            // The text left the box; with a quick agent the busy screen
            // may already be over.
            return .delivered
          }
          if Self.holds(input, prompt) && enterTries < 3 {
            // Our text is still there: the Enter was lost. Press it again.
            enterTries += 1
            try await tmux.sendKeys(pane: pane, ["Enter"])
            try await Task.sleep(for: pasteWindow * (1 << enterTries))
            continue
          }
          // Something else stands in the box, or Enter keeps failing:
          // clear and paste again, a bounded number of times.
          guard pastes < 3 else { return .notConfirmed }
        }
        if !input.isEmpty {
          try await tmux.sendKeys(pane: pane, ["C-u"])
          try await Task.sleep(for: poll)
          lastScreen = ""
          // What was sent is cleared, not submitted: an empty box now
          // means nothing, until the next paste.
          sent = false
          continue
        }
        pastes += 1
        enterTries = 0
        try await tmux.paste(pane: pane, text: prompt, buffer: "wt-\(UUID().uuidString)")
        try await Task.sleep(for: pasteWindow)
        await onSent()
        sent = true
        try await tmux.sendKeys(pane: pane, ["Enter"])
        try await Task.sleep(for: pasteWindow)
        lastScreen = ""
      }
    }
    if sent { return .notConfirmed }
    let tail = lastScreen.split(separator: "\n").suffix(8).joined(separator: "\n")
    return .unknownScreen(tail)
  }

  /// Whether what stands in the input box is (the start of) our prompt, or
  /// its collapsed paste marker.
  static func holds(_ input: String, _ prompt: String) -> Bool {
    if input.hasPrefix("[Pasted text") { return true }
    let first = prompt.split(separator: "\n").first.map(String.init) ?? prompt
    // The box may show a cut-off start of the text, or the text and more.
    return !input.isEmpty && (first.hasPrefix(input) || input.hasPrefix(first))
  }
}
