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
    /// The provider is overloaded (HTTP 529), or failed in a way that a
    /// later try may cure: this worker backs off alone.
    case overloaded
    /// Billing, credit or a key refused: a person must act; never retried.
    case needsPerson = "needs-person"
    /// The worker passed its bead's budget: paused after its turn, never
    /// continued by the clock.
    case budget

    /// The clock resumes it (at `until`); a person's `wt resume` resumes
    /// any kind.
    public var resumesByClock: Bool {
      switch self {
      case .transient, .usage, .unknownReset, .overloaded: true
      case .needsPerson, .budget: false
      }
    }
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
  /// The agent continues by itself at `until` (Claude Code's
  /// `autoContinueAtUsageLimit` on a subscription, armed for a reset less
  /// than 24 h away): wt waits `agentGrace` past `until` for it and takes
  /// over only if it did not.
  public var agentContinues: Bool?
  /// How far wt's follow-up ("continue where you stopped") got, as the
  /// record's `prompt` says it of the first prompt: nil, not sent; `sent`,
  /// pasted but not confirmed (a retry only presses Enter on its own text,
  /// never pastes again); `delivered` is never kept, because the agent
  /// taking it (a prompt submitted) ends the limit.
  public var followUp: WorkerRecord.Prompt?

  public init(
    kind: Kind, until: Date?, since: Date, tries: Int = 0, reason: String, agentContinues: Bool? = nil
  ) {
    self.kind = kind
    self.until = until
    self.since = since
    self.tries = tries
    self.reason = reason
    self.agentContinues = agentContinues
  }

  /// How long wt waits past `until` for the agent's own continuation:
  /// Claude Code 2.1.337 fired it 43 s after the reset (docs/limits.md).
  public static let agentGrace: TimeInterval = 60

  /// The wait before try `tries` when no reset is known: 1, 2, 4 … up to
  /// 60 minutes, times 0.8 to 1.2 by `jitter` (0 ≤ jitter < 1), so workers
  /// stopped together do not come back together.
  public static func backoff(tries: Int, jitter: Double) -> TimeInterval {
    let minutes = min(60, 1 << min(max(tries, 0), 6))
    return Double(minutes) * 60 * (0.8 + 0.4 * min(max(jitter, 0), 1))
  }

  /// When the clock resumes the worker named `worker`: past `until` (and
  /// the agent's own continuation, when armed) by a small offset of its
  /// own, so paused workers do not all come back in the same second. Nil:
  /// only a person resumes it.
  public func resumeAt(worker: String) -> Date? {
    guard kind.resumesByClock, let until else { return nil }
    // The agent's own retry or continuation goes first; wt takes over a
    // minute after it should have fired.
    let grace = agentContinues == true || kind == .transient ? Self.agentGrace : 0
    return until.addingTimeInterval(grace + Self.stagger(worker))
  }

  /// A worker's offset in the resume stagger: 0 to 8 s, from its name
  /// (FNV-1a), the same on every pass and every machine, so the plan
  /// stays a pure function of what it observes.
  public static func stagger(_ worker: String) -> TimeInterval {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in worker.utf8 {
      hash ^= UInt64(byte)
      hash = hash &* 0x100_0000_01b3
    }
    return Double(hash % 8000) / 1000
  }
}
