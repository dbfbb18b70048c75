import Foundation

/// A worker's pull request at a glance, from wt's last look at it.
public struct PullRequestStatus: Codable, Equatable, Sendable {
  public var number: Int
  public var url: String
  /// passing | failing | pending | none
  public var checks: String
  /// approved | changes_requested | pending | none
  public var review: String
  /// Rounds sent back to the worker so far.
  public var round: Int
  public var maxRounds: Int

  enum CodingKeys: String, CodingKey {
    case number, url, checks, review, round
    case maxRounds = "max_rounds"
  }

  init(_ pr: PullRequestRecord, look: PullRequestObservation?, maxRounds: Int) {
    number = pr.number
    url = pr.url
    checks = look?.view?.checkSummary ?? "none"
    review = look?.view?.reviewSummary ?? "none"
    round = pr.round
    self.maxRounds = maxRounds
  }
}
