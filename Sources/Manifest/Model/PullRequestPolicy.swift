/// `pr:` (on a project, in `defaults:` or under `settings:`): how wt
/// follows a pull request it opened until it merges.
public struct PullRequestPolicy: Hashable, Sendable {
  /// How GitHub merges it (`gh pr merge --squash|--merge|--rebase`).
  public enum MergeMethod: String, Hashable, Sendable, CaseIterable {
    case squash, merge, rebase
  }

  /// Rounds (CI, review, conflict) sent back to the worker before the
  /// pull request waits for a person.
  public var maxRounds = 3
  /// Logins whose reviews and comments reach the worker even without
  /// write access to the repository.
  public var trusted: [String] = []
  public var mergeMethod = MergeMethod.squash
  /// Seconds between two looks at the pull request on GitHub.
  public var interval = 60

  public init(maxRounds: Int = 3, trusted: [String] = [], mergeMethod: MergeMethod = .squash, interval: Int = 60) {
    self.maxRounds = maxRounds
    self.trusted = trusted
    self.mergeMethod = mergeMethod
    self.interval = interval
  }
}
