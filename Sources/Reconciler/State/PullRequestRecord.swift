import Foundation

/// What wt remembers of a worker's pull request: which rounds it sent
/// back, so that nothing is sent twice for the same head and cause, and
/// the round being delivered, recorded as sent before it is pasted (as a
/// prompt is: `WorkerRecord.Prompt`), so a retry never pastes it again.
public struct PullRequestRecord: Codable, Hashable, Sendable {
  /// A round on its way to the worker.
  public struct Round: Codable, Hashable, Sendable {
    /// What it answers: `ci:<sha>`, `conflict:<sha>`, `review:<id>`,
    /// `comment:<id>`.
    public var keys: [String]
    /// One line for the history and the status.
    public var summary: String
    public var text: String
    /// Pasted into the agent's input (not yet confirmed).
    public var sent = false
    /// Given as part of a new session's first prompt instead.
    public var primed = false

    public init(keys: [String], summary: String, text: String) {
      self.keys = keys
      self.summary = summary
      self.text = text
    }
  }

  public var number: Int
  public var url: String
  /// Rounds delivered so far.
  public var round = 0
  /// Keys of every round delivered.
  public var routed: [String] = []
  public var pending: Round?
  /// One line per delivered round, oldest first: what a new session of
  /// the worker is primed with.
  public var history: [String] = []
  /// `pr-auto`: "enabled", or why GitHub refused auto-merge (said once;
  /// the pull request is then followed as with `pr`).
  public var autoMerge: String?

  public init(number: Int, url: String) {
    self.number = number
    self.url = url
  }
}
