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
/// the prompt left the input box. Enter is retried with backoff, until a
/// deadline; the paste never is.
public struct PromptDelivery: Sendable {
  public var tmux: Tmux
  public var reader: ScreenReader
  public var dialogs: [AgentProfile.Dialog]
  public var questions: [AgentProfile.Question]
  public var deadline: Duration = .seconds(90)
  public var poll: Duration = .milliseconds(200)
  /// Claude Code takes input arriving within 100 ms as one paste and
  /// swallows an Enter inside it, so Enter waits longer than that.
  public var pasteWindow: Duration = .milliseconds(300)
  /// How long the screen must hold still after an Enter before wt takes
  /// the Enter for lost and presses it again.
  public var lostEnterQuiet: Duration = .seconds(5)
  /// The ready glyph is drawn before the input handler listens, so the
  /// screen must stay unchanged this long first.
  public var settle: Duration = .milliseconds(600)

  public init(tmux: Tmux, profile: AgentProfile) throws {
    self.tmux = tmux
    reader = try ScreenReader(profile: profile)
    dialogs = profile.dialogs
    questions = profile.questions
    if let delay = profile.readyDelay { settle = .milliseconds(Int(delay * 1000)) }
  }

  /// For a prompt given on the agent's command line: answers start-up
  /// dialogs until the agent shows it took the prompt (busy), or holds
  /// still at its ready screen (a quick turn already over). Nothing is
  /// typed but a dialog's keys.
  /// `confirmed`: the agent's own word that it took the prompt (Claude
  /// Code's UserPromptSubmit hook, recorded in the state); a screen may
  /// never show it, when the agent asks a question at once.
  public func awaitStart(
    _ prompt: String, in pane: String, confirmed: @Sendable () -> Bool = { false }
  ) async throws -> DeliveryOutcome {
    let clock = ContinuousClock()
    let end = clock.now + deadline
    var lastScreen = ""
    var stableSince = clock.now
    while clock.now < end {
      if confirmed() { return .delivered }
      guard let screen = try await liveScreen(pane) else { return .agentExited(afterSend: true) }
      if screen != lastScreen {
        lastScreen = screen
        stableSince = clock.now
      }
      switch reader.state(of: screen, ownText: PromptText.sanitize(prompt)) {
      case .dialog(let i):
        try await tmux.sendKeys(pane: pane, dialogs[i].keys)
        try await Task.sleep(for: settle)
        lastScreen = ""
      case .question(let i, _):
        // It took the prompt and asks about its work.
        try await answer(question: i, in: pane)
        return .delivered
      case .busy:
        return .delivered
      case .ready where clock.now - stableSince >= settle:
        return .delivered
      case .ready, .unknown:
        try await Task.sleep(for: poll)
      }
    }
    return .notConfirmed
  }

  /// `alreadySent`: an earlier attempt pasted; the prompt is never pasted
  /// again (any part of it may have reached the agent, and "not ready
  /// yet" after a paste is not "not delivered"). Afterwards only Enter,
  /// while our own text still stands in the input line, or confirmation
  /// follows. `onSent` is called before the paste, so the record says
  /// "sent" before any byte can reach the agent.
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
    // The screen as it was when wt last pressed Enter; nil: not pressed
    // in this call (a later pass presses only when it sees its own text
    // hold still at the input line).
    var beforeEnter: String? = nil

    while clock.now < end {
      guard let screen = try await liveScreen(pane) else { return .agentExited(afterSend: sent) }
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
      case .question(let i, _) where sent:
        // The agent took the prompt and asks about its work: the
        // profile's policy answers it, or the person does.
        try await answer(question: i, in: pane)
        return .delivered
      case .question:
        // An earlier turn's question: not ours to type into.
        try await Task.sleep(for: poll)
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
          // The text left the box; with a quick agent the busy screen
          // may already be over.
          if input.isEmpty { return .delivered }
          // Our text still stands at the input line, at the bottom of
          // the screen (not a copy of it in the scrollback): the Enter
          // was lost. Press it again, a bounded number of times.
          guard (reader.linesBelowInput(screen) ?? .max) <= Self.linesBelowInputLine else {
            // The agent printed below it: at work, not waiting. Watch on.
            try await Task.sleep(for: poll)
            continue
          }
          guard Self.holds(input, prompt), enterTries < Self.enterRetries else { return .notConfirmed }
          // Only an Enter that changed nothing on the screen was lost. One
          // that did something was taken: the agent may be between the
          // prompt and its answer (no spinner yet), and a second Enter
          // would wait in the terminal to answer its next question, "Run
          // shell command?" included, with yes.
          guard beforeEnter == nil || screen == beforeEnter else {
            try await Task.sleep(for: poll)
            continue
          }
          // And only after the screen held still long enough that an agent
          // which took it would have shown so: Aider leaves the submitted
          // text in place and draws nothing until its model answers, and a
          // loaded machine draws late. A lost Enter leaves the agent idle,
          // so waiting costs a lost one a few seconds; pressing early costs
          // a taken one a shell command run on the person's behalf.
          guard clock.now - stableSince >= lostEnterQuiet else {
            try await Task.sleep(for: poll)
            continue
          }
          enterTries += 1
          beforeEnter = screen
          try await tmux.sendKeys(pane: pane, ["Enter"])
          try await Task.sleep(for: pasteWindow * (1 << min(enterTries, 3)))
          lastScreen = ""
          continue
        }
        if !input.isEmpty {
          // Nothing of ours was sent yet: clear what someone left there.
          try await tmux.sendKeys(pane: pane, ["C-u"])
          try await Task.sleep(for: poll)
          lastScreen = ""
          continue
        }
        await onSent()
        sent = true
        try await tmux.paste(pane: pane, text: prompt, buffer: "wt-\(UUID().uuidString)")
        try await Task.sleep(for: pasteWindow)
        beforeEnter = try await tmux.capture(pane: pane)
        try await tmux.sendKeys(pane: pane, ["Enter"])
        try await Task.sleep(for: pasteWindow)
        lastScreen = ""
      }
    }
    if sent { return .notConfirmed }
    let tail = lastScreen.split(separator: "\n").suffix(8).joined(separator: "\n")
    return .unknownScreen(tail)
  }

  /// Enter is the only retry after a paste (the paste never is), and it
  /// is safe while the screen shows nothing changed since the last one:
  /// enough of them to outlast an agent that drops several, with backoff
  /// up to 8 paste windows, well inside the deadline.
  static let enterRetries = 8

  /// The pane's screen, or nil when the pane is gone. An agent that
  /// finishes at once ends its own session with `wt done`, and with the
  /// last session the tmux server exits: a capture that fails between the
  /// two looks is that, not an error of the delivery.
  func liveScreen(_ pane: String) async throws -> String? {
    guard try await tmux.isAlive(pane: pane) else { return nil }
    do {
      return try await tmux.capture(pane: pane)
    } catch {
      if try await tmux.isAlive(pane: pane) { throw error }
      return nil
    }
  }

  /// Claude Code draws two lines (a rule and its status line) under its
  /// input line; Aider none. More than this below it, the line is
  /// scrollback.
  static let linesBelowInputLine = 3

  /// Presses the profile's answer to question `i`, if it has one.
  func answer(question i: Int, in pane: String) async throws {
    guard questions.indices.contains(i), questions[i].answered else { return }
    try await tmux.sendKeys(pane: pane, questions[i].keys)
  }

  /// Whether what stands in the input box is (the start of) our prompt, or
  /// its collapsed paste marker.
  static func holds(_ input: String, _ prompt: String) -> Bool {
    if input.hasPrefix("[Pasted text") { return true }
    // The box may show a cut-off start of the text, or the text and more;
    // an agent that shows every pasted line with its prompt (Aider) has
    // the last line on the prompt's line.
    return !input.isEmpty && prompt.split(separator: "\n").contains { line in
      let l = line.trimmingCharacters(in: .whitespaces)
      return !l.isEmpty && (l.hasPrefix(input) || input.hasPrefix(l))
    }
  }
}
