extension Project {
  /// What `wt done` does with a finished worker's branch.
  public enum OnDone: String, Hashable, Sendable, CaseIterable {
    case merge, pr
    /// `pr`, and GitHub's auto-merge (`gh pr merge --auto`) once it is open.
    case prAuto = "pr-auto"
    case keep

    /// Whether the work leaves through a pull request.
    public var opensPullRequest: Bool { self == .pr || self == .prAuto }
  }
}
