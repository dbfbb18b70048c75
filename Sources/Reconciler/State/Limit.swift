import Foundation

/// Why a worker's agent stopped on its provider's limits, and when it may
/// go on: kept in the worker's record so that a restarted `wt auto` keeps
/// the pause and its reset time (issue 23).
///
/// The kinds follow what the agents report; for Claude Code see
/// docs/limits.md (StopFailure's `error`, the transcript's
/// `quotaLimits.resetsAt`).
public struct Limit: Codable, Hashable, Sendable {
  public enum Kind: String, Codable, Hashable, Sendable {
    /// The agent retries by itself or its own continuation is armed:
    /// left alone, only shown.
    case transient
    /// A usage limit with a known reset (`until`): the account pauses.
    case usage
    /// Limited with no reset known: backed off (1, 2, 4 … 60 min).
    case unknownReset = "unknown-reset"
    /// The provider is overloaded (HTTP 529): this worker backs off alone.
    case overloaded
    /// Billing, credit or a key refused: a person must act; never retried.
    case needsPerson = "needs-person"
    /// The worker passed its bead's budget: paused after its turn, never
    /// continued by the clock.
    case budget
  }

  public var kind: Kind
  /// When it may go on: the provider's reset, or the end of the backoff.
  /// Nil when nothing but a person resumes it.
  public var until: Date?
  /// When wt first saw it.
  public var since: Date
  /// Resumes that hit the limit again.
  public var tries: Int
  /// What was seen, for the person (untrusted agent text is sanitised
  /// before it is shown).
  public var reason: String

  public init(kind: Kind, until: Date?, since: Date, tries: Int = 0, reason: String) {
    self.kind = kind
    self.until = until
    self.since = since
    self.tries = tries
    self.reason = reason
  }
}
