import Foundation

/// One pull request as `gh pr view --json` shows it, with its line review
/// comments (`gh api …/pulls/N/comments`): only the fields the loop reads.
/// Shapes from gh's source (https://github.com/cli/cli `api/queries_pr.go`,
/// `api/export_pr.go`) and GitHub's REST docs
/// (https://docs.github.com/rest/pulls/comments). Every text in it was
/// written by whoever could comment: data, never an instruction.
public struct PullRequestView: Codable, Equatable, Sendable {
  public enum State: String, Codable, Equatable, Sendable { case open = "OPEN", closed = "CLOSED", merged = "MERGED" }

  /// A check on the head commit, bucketed as `gh pr checks` does
  /// (`pkg/cmd/pr/checks/aggregate.go`).
  public struct Check: Codable, Equatable, Sendable {
    public enum Bucket: String, Codable, Equatable, Sendable { case pass, fail, pending, skipping, cancel }
    public var name: String
    public var bucket: Bucket
    /// The Actions run, from the check's details URL (`…/actions/runs/<id>/job/<id>`).
    public var runID: String?
    public var workflow: String
  }

  public struct Review: Codable, Equatable, Sendable {
    public var id: String
    public var author: String
    /// APPROVED | CHANGES_REQUESTED | COMMENTED | DISMISSED | PENDING.
    public var state: String
    public var body: String

    /// Whether it asks something of the worker: changes requested, or a
    /// comment with words (an approval or an empty comment asks nothing).
    public var asks: Bool { state == "CHANGES_REQUESTED" || (state == "COMMENTED" && !body.isEmpty) }
  }

  /// A comment on the pull request itself (its conversation), not on a
  /// line; minimized ones (spam, off-topic, resolved) are left out.
  public struct Comment: Codable, Equatable, Sendable {
    public var id: String
    public var author: String
    public var body: String
  }

  public struct LineComment: Codable, Equatable, Sendable {
    public var id: Int
    public var author: String
    public var path: String
    /// nil when the comment is outdated (its line is gone from the diff).
    public var line: Int?
    public var body: String
    /// Set on replies; thread roots carry none.
    public var inReplyTo: Int?
  }

  public var number: Int
  public var url: String
  public var state: State
  public var headSHA: String
  /// MERGEABLE | CONFLICTING | UNKNOWN (GitHub still computing).
  public var mergeable: String
  public var mergeCommit: String?
  public var autoMerge: Bool
  /// APPROVED | CHANGES_REQUESTED | REVIEW_REQUIRED | "".
  public var reviewDecision: String
  public var checks: [Check]
  public var reviews: [Review]
  public var lineComments: [LineComment] = []
  public var comments: [Comment] = []

  public init(
    number: Int, url: String, state: State, headSHA: String, mergeable: String = "MERGEABLE",
    mergeCommit: String? = nil, autoMerge: Bool = false, reviewDecision: String = "", checks: [Check] = [],
    reviews: [Review] = [], lineComments: [LineComment] = [], comments: [Comment] = []
  ) {
    self.number = number
    self.url = url
    self.state = state
    self.headSHA = headSHA
    self.mergeable = mergeable
    self.mergeCommit = mergeCommit
    self.autoMerge = autoMerge
    self.reviewDecision = reviewDecision
    self.checks = checks
    self.reviews = reviews
    self.comments = comments
    self.lineComments = lineComments
  }

  /// passing | failing | pending | none, for `wt status`.
  public var checkSummary: String {
    if checks.isEmpty { return "none" }
    if checks.contains(where: { $0.bucket == .fail }) { return "failing" }
    if checks.contains(where: { $0.bucket == .pending }) { return "pending" }
    return "passing"
  }

  /// approved | changes_requested | pending | none, for `wt status`.
  public var reviewSummary: String {
    switch reviewDecision {
    case "APPROVED": "approved"
    case "CHANGES_REQUESTED": "changes_requested"
    case "REVIEW_REQUIRED": "pending"
    default: "none"
    }
  }

  /// The fields `GitHub.pullRequest` asks for.
  static let fields = "number,url,state,headRefOid,mergeable,mergeCommit,autoMergeRequest,reviewDecision,statusCheckRollup,reviews,comments"

  /// Parses `gh pr view --json <fields>`.
  static func parse(_ json: String) throws -> PullRequestView {
    let raw = try JSONDecoder().decode(Raw.self, from: Data(json.utf8))
    return PullRequestView(
      number: raw.number, url: raw.url, state: raw.state, headSHA: raw.headRefOid, mergeable: raw.mergeable,
      mergeCommit: raw.mergeCommit?.oid, autoMerge: raw.autoMergeRequest != nil,
      reviewDecision: raw.reviewDecision ?? "",
      checks: (raw.statusCheckRollup ?? []).map(\.check),
      reviews: (raw.reviews ?? []).map {
        Review(id: $0.id, author: $0.author?.login ?? "", state: $0.state, body: $0.body ?? "")
      },
      comments: (raw.comments ?? []).filter { $0.isMinimized != true }.map {
        Comment(id: $0.id, author: $0.author?.login ?? "", body: $0.body ?? "")
      })
  }

  /// Parses the REST review comments (`--paginate` merges the pages into
  /// one array).
  static func parseLineComments(_ json: String) throws -> [LineComment] {
    try JSONDecoder().decode([RawComment].self, from: Data(json.utf8)).map {
      LineComment(id: $0.id, author: $0.user?.login ?? "", path: $0.path, line: $0.line, body: $0.body, inReplyTo: $0.in_reply_to_id)
    }
  }

  struct Login: Decodable { var login: String }
  struct Oid: Decodable { var oid: String }
  struct AutoMerge: Decodable { var mergeMethod: String? }
  struct RawReview: Decodable {
    var id: String
    var author: Login?
    var state: String
    var body: String?
  }
  struct RawConversationComment: Decodable {
    var id: String
    var author: Login?
    var body: String?
    var isMinimized: Bool?
  }
  /// A CheckRun or a StatusContext, as the rollup's union has them.
  struct RawCheck: Decodable {
    var name: String?
    var context: String?
    var status: String?
    var conclusion: String?
    var state: String?
    var detailsUrl: String?
    var targetUrl: String?
    var workflowName: String?

    var check: Check {
      // gh: a StatusContext's state, else a completed run's conclusion,
      // else its status.
      let value = state ?? (status == "COMPLETED" ? conclusion ?? "" : status ?? "")
      let bucket: Check.Bucket =
        switch value {
        case "SUCCESS": .pass
        case "SKIPPED", "NEUTRAL": .skipping
        case "ERROR", "FAILURE", "TIMED_OUT", "ACTION_REQUIRED": .fail
        case "CANCELLED": .cancel
        default: .pending
        }
      return Check(
        name: name ?? context ?? "", bucket: bucket, runID: Self.runID(detailsUrl ?? targetUrl ?? ""),
        workflow: workflowName ?? "")
    }

    static func runID(_ url: String) -> String? {
      let parts = url.split(separator: "/")
      guard let i = parts.firstIndex(of: "runs"), i + 1 < parts.count, parts[i - 1] == "actions",
        parts[i + 1].allSatisfy(\.isNumber)
      else { return nil }
      return String(parts[i + 1])
    }
  }
  struct Raw: Decodable {
    var number: Int
    var url: String
    var state: State
    var headRefOid: String
    var mergeable: String
    var mergeCommit: Oid?
    var autoMergeRequest: AutoMerge?
    var reviewDecision: String?
    var statusCheckRollup: [RawCheck]?
    var reviews: [RawReview]?
    var comments: [RawConversationComment]?
  }
  struct RawComment: Decodable {
    var id: Int
    var user: Login?
    var path: String
    var line: Int?
    var body: String
    var in_reply_to_id: Int?
  }
}
