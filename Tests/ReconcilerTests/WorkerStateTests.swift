import Testing
@testable import Reconciler

/// The worker state machine, as one table: every state, every kind of
/// event, the state that follows.
@Suite(.timeLimit(.minutes(2))) struct WorkerStateTests {
  typealias C = WorkerCondition
  static let ask = C(.needsInput, "EUR or USD?")
  static let limited = C(.limited, "429")

  /// (from, event, expected)
  static let table: [(C?, WorkerEvent, C)] = [
    (nil, .sessionStarted, C(.starting)),
    (C(.starting), .promptSubmitted, C(.working)),
    (C(.working), .turnEnded(apiError: false), C(.idle)),
    (C(.working), .turnEnded(apiError: true), C(.limited, "the turn ended on an API error or a rate limit")),
    (C(.idle), .agentWaiting("May I run Bash?", permission: false), C(.needsInput, "May I run Bash?")),
    (C(.idle), .agentWaiting(nil, permission: false), C(.needsInput, "the agent is waiting for input")),
    (C(.working), .declared(.needsInput, "EUR or USD?"), ask),
    // Sticky: what follows a call for help never erases it.
    (ask, .turnEnded(apiError: false), ask),
    (ask, .turnEnded(apiError: true), ask),
    (ask, .agentWaiting("Claude is waiting for your input", permission: false), ask),
    (ask, .sessionStarted, ask),
    (ask, .agentWaiting("Claude needs your permission to use Bash", permission: true), C(.needsInput, "Claude needs your permission to use Bash")),
    (limited, .turnEnded(apiError: false), limited),
    (limited, .agentWaiting(nil, permission: false), limited),
    // New activity, or someone saying so, moves on.
    (ask, .promptSubmitted, C(.working)),
    (limited, .promptSubmitted, C(.working)),
    (ask, .declared(.working, nil), C(.working)),
    (ask, .observedDead("gone"), C(.dead, "gone")),
    // Done stays done, unless declared otherwise.
    (C(.done, "merged"), .turnEnded(apiError: false), C(.done, "merged")),
    (C(.done, "merged"), .promptSubmitted, C(.done, "merged")),
    (C(.done, "merged"), .observedDead("gone"), C(.done, "merged")),
    (C(.done, "merged"), .declared(.working, nil), C(.working)),
    // Kept has no session to die.
    (C(.kept, "2 commits"), .observedDead("gone"), C(.kept, "2 commits")),
    (C(.idle), .observedDead("gone"), C(.dead, "gone")),
    (C(.dead, "gone"), .sessionStarted, C(.starting)),
    (C(.dead, "gone"), .declared(.stuck, "3 exits"), C(.stuck, "3 exits")),
  ]

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
