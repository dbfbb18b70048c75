import Testing
@testable import Reconciler

/// The worker state machine, as one table: every state, every kind of
/// event, the state that follows.
@Suite(.timeLimit(.minutes(2))) struct WorkerStateTests {
  typealias C = WorkerCondition
  static let ask = C(.needsInput, "EUR or USD?")
  static let limited = C(.limited, "429")

  static let usage = LimitSignal(kind: .usage, reason: "usage limit: You've hit your 5-hour limit")
  static let billing = LimitSignal(kind: .needsPerson, reason: "a person must act (billing_error): Credit balance too low")

  static let permission = C(.needsInput, "Claude needs your permission to use Bash", origin: .question)
  static let failedDone = C(.working, "'wt done' failed: gate `make test` failed (exit 2)", origin: .failedDone)

  /// (from, event, expected)
  static let table: [(C?, WorkerEvent, C)] = [
    (nil, .sessionStarted, C(.starting)),
    (C(.starting), .promptSubmitted, C(.working)),
    (C(.working), .turnEnded(apiError: false), C(.idle)),
    (C(.working), .turnEnded(apiError: true), C(.limited, "the turn ended on an API error or a rate limit")),
    (C(.working), .notified("Claude needs your permission to use Bash", .question), permission),
    (C(.idle), .notified(nil, .question), C(.needsInput, "the agent is waiting for input", origin: .question)),
    (C(.working), .declared(.needsInput, "EUR or USD?"), ask),
    // Idle is idle: Claude Code's idle notification, 60 s after a turn,
    // is no call for help; news asks nothing.
    (C(.idle), .notified("Claude is waiting for your input", .idle), C(.idle)),
    (C(.working), .notified("Claude is waiting for your input", .idle), C(.idle)),
    (C(.idle), .notified("Usage limit reset", .news), C(.idle)),
    (C(.working), .notified("Authenticated", .news), C(.working)),
    // Sticky: what follows a call for help someone said never erases it.
    (ask, .turnEnded(apiError: false), ask),
    (ask, .turnEnded(apiError: true), ask),
    (ask, .notified("Claude is waiting for your input", .idle), ask),
    (ask, .toolUsed, ask),
    (ask, .compacted, ask),
    (ask, .screenAsksNothing(busy: false), ask),
    (ask, .notified("Claude needs your permission to use Bash", .question), permission),
    (limited, .turnEnded(apiError: false), limited),
    (limited, .notified(nil, .idle), limited),
    // A limit reached: limited with its reason, or needs-input when only
    // a person can lift it; the agent's own continuation ends the limit.
    (C(.working), .limitReached(usage), C(.limited, usage.reason)),
    (C(.working), .limitReached(billing), C(.needsInput, billing.reason)),
    (permission, .limitReached(usage), C(.limited, usage.reason)),
    (ask, .limitReached(usage), ask),
    (limited, .limitReached(billing), limited),
    (limited, .notified("Usage limit reset — Claude is continuing your task", .continued), C(.working)),
    (C(.idle), .notified(nil, .continued), C(.idle)),
    (C(.done, "merged"), .limitReached(usage), C(.done, "merged")),
    // The agent's own question is answered by whatever it does next: the
    // person granted, it ran the tool, it ended its turn, it restarted,
    // or its screen asks nothing.
    (permission, .toolUsed, C(.working)),
    (permission, .turnEnded(apiError: false), C(.idle)),
    (permission, .sessionStarted, C(.starting)),
    (permission, .screenAsksNothing(busy: false), C(.idle)),
    (permission, .screenAsksNothing(busy: true), C(.working)),
    (permission, .notified("Claude is waiting for your input", .idle), permission),
    (permission, .compacted, permission),
    (C(.idle), .screenAsksNothing(busy: true), C(.idle)),
    // A restart, or new activity, or someone saying so, moves any on.
    (ask, .sessionStarted, C(.starting)),
    // But a new session does not lift a limit: the agent restarted (or
    // was --resume'd) during the pause still waits for its reset.
    (limited, .sessionStarted, limited),
    (C(.working), .compacted, C(.working)),
    (C(.idle), .toolUsed, C(.working)),
    (ask, .promptSubmitted, C(.working)),
    (limited, .promptSubmitted, C(.working)),
    (ask, .declared(.working, nil), C(.working)),
    (ask, .observedDead("gone"), C(.dead, "gone")),
    // The agent's own failed `wt done`: working, with the reason, until a
    // turn ends without the bead done.
    (C(.working), .doneFailed(failedDone.message!), failedDone),
    (failedDone, .toolUsed, failedDone),
    (failedDone, .turnEnded(apiError: false),
     C(.needsInput, "the agent ended its turn after 'wt done' failed: gate `make test` failed (exit 2)")),
    (failedDone, .notified("Claude is waiting for your input", .idle),
     C(.needsInput, "the agent ended its turn after 'wt done' failed: gate `make test` failed (exit 2)")),
    (failedDone, .promptSubmitted, C(.working)),
    (failedDone, .declared(.done, "merged"), C(.done, "merged")),
    // Done stays done, unless declared otherwise.
    (C(.done, "merged"), .turnEnded(apiError: false), C(.done, "merged")),
    (C(.done, "merged"), .promptSubmitted, C(.done, "merged")),
    (C(.done, "merged"), .toolUsed, C(.done, "merged")),
    (C(.done, "merged"), .doneFailed("x"), C(.done, "merged")),
    (C(.done, "merged"), .observedDead("gone"), C(.done, "merged")),
    (C(.done, "merged"), .declared(.working, nil), C(.working)),
    // Kept has no session to die.
    (C(.kept, "2 commits"), .observedDead("gone"), C(.kept, "2 commits")),
    (C(.idle), .observedDead("gone"), C(.dead, "gone")),
    (C(.dead, "gone"), .sessionStarted, C(.starting)),
    (C(.dead, "gone"), .declared(.stuck, "3 exits"), C(.stuck, "3 exits")),
  ]

  /// Claude Code's `notification_type` values
  /// (https://code.claude.com/docs/en/hooks#notification), and Gemini
  /// CLI's: only a question is one.
  @Test func notificationTypesSayWhetherTheyAsk() {
    typealias N = WorkerEvent.Notice
    #expect(N(type: "permission_prompt", message: "Claude needs your permission to use Bash") == .question)
    #expect(N(type: "elicitation_dialog", message: nil) == .question)
    #expect(N(type: "worker_permission_prompt", message: nil) == .question)
    #expect(N(type: "agent_needs_input", message: nil) == .question)
    #expect(N(type: "ToolPermission", message: nil) == .question)
    #expect(N(type: "idle_prompt", message: "Claude is waiting for your input") == .idle)
    #expect(N(type: "", message: "Claude is waiting for your input") == .idle)
    #expect(N(type: "", message: "May I?") == .question)
    for news in ["auth_success", "elicitation_complete", "elicitation_response", "quota_auto_resume_armed", "agent_completed"] {
      #expect(N(type: news, message: nil) == .news, "\(news)")
    }
    // Claude Code's own continuation after a usage limit fired: it works
    // again (docs/limits.md: it came 42.6 s after resetsAt).
    #expect(N(type: "quota_auto_resume_fired", message: "Usage limit reset — Claude is continuing your task") == .continued)
  }

  @Test(arguments: 0..<table.count) func transition(_ row: Int) {
    let (from, event, expected) = Self.table[row]
    #expect(C.next(after: from, on: event) == expected, "\(String(describing: from)) + \(event)")
  }

  @Test func everyStateKnowsWhetherItNeedsAPerson() {
    #expect(WorkerState.allCases.filter(\.needsPerson) == [.needsInput, .limited, .stuck, .dead])
    #expect(WorkerState.allCases.filter(\.notifies) == [.needsInput, .limited, .stuck, .dead, .done])
    #expect(WorkerState.allCases.sorted().first == .needsInput)
  }

  @Test func anUnknownStateFromAnotherVersionReadsAsStarting() throws {
    let decoded = try JSONDecoder().decode([WorkerState].self, from: Data(#"["idle","sleeping"]"#.utf8))
    #expect(decoded == [.idle, .starting])
  }
}

import Foundation
