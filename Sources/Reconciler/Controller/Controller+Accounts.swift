import Foundation

extension Controller {
  /// A paused account starts nothing until its reset: the loop comes
  /// back at the earliest one (a second past it), not at the steady
  /// interval, so the first bead waiting for it starts then. A pause with
  /// no time (billing) waits for a person and is not re-queued.
  static func accountResets(_ plan: Plan, now: Date) -> [Requeue] {
    let waits = plan.waiting.filter { $0.cause == .accountLimited && $0.until != nil }
    guard let first = waits.min(by: { $0.until! < $1.until! }), let until = first.until else { return [] }
    let seconds = max(1, until.timeIntervalSince(now) + 1)
    return [Requeue(after: .milliseconds(Int(seconds * 1000)), reason: "\(first.project)/\(first.bead) waits: \(first.reason)")]
  }
}
