extension AgentProfile {
  /// A line an agent prints when its model provider refuses work (a rate
  /// or usage limit, an overload, spent credit), and what it means: the
  /// screen fallback for agents whose limits no hook reports, and for
  /// Claude Code beside its hooks (docs/limits.md). Read from the bottom:
  /// nothing above the last `resumed` line counts; a `transient` line
  /// below every other says the agent is still at it; otherwise the most
  /// serious kind among the lines after the last `transient` one decides
  /// (needs-person, usage, unknown-reset, overloaded).
  public struct LimitPattern: Hashable, Sendable {
    /// The `kind:` words, as `wt status` shows a limited worker.
    public enum Kind: String, Hashable, Sendable, CaseIterable {
      /// A usage limit; the reset is read with `resets`.
      case usage
      /// Limited with no reset on screen: wt backs off.
      case unknownReset = "unknown-reset"
      /// The provider is overloaded (HTTP 529 or 503).
      case overloaded
      /// Billing, credit or a refused key: a person must act.
      case needsPerson = "needs-person"
      /// The agent retries by itself or waits for the reset itself: left
      /// alone, only shown.
      case transient
      /// The agent went on (a prompt was submitted, its own continuation
      /// fired): the lines above say nothing about now.
      case resumed
    }

    /// Matched against each screen line.
    public var match: String
    public var kind: Kind
    /// Matched against the same line; its first capture group is the reset
    /// time as printed (`10:42am`, `Dec 9, 10:35am`, with `(UTC)` when
    /// shown).
    public var resets: String?

    public init(match: String, kind: Kind, resets: String? = nil) {
      self.match = match
      self.kind = kind
      self.resets = resets
    }
  }
}
