import Foundation

/// One look at a worker's pull request on GitHub, with what the plan
/// needs beside it: the failing job's log (once per head), the failing
/// checks base has too, and who may steer the worker.
public struct PullRequestObservation: Codable, Equatable, Sendable {
  public var view: PullRequestView?
  /// Why GitHub could not be asked (gh missing, not logged in,
  /// rate-limited, down): the pull request waits, nothing is torn down.
  public var problem: String?
  /// When the loop looks again.
  public var nextLook: Date
  /// A bounded excerpt of the failing job's log, for the current head.
  public var failureLog: String?
  /// Failing checks whose workflow fails on base too.
  public var failingOnBase: [String] = []
  /// Authors of the reviews and comments in `view` who may steer the
  /// worker: write access to the repository, or `pr.trusted`.
  public var steering: [String] = []

  public init(
    view: PullRequestView?, problem: String? = nil, nextLook: Date, failureLog: String? = nil,
    failingOnBase: [String] = [], steering: [String] = []
  ) {
    self.view = view
    self.problem = problem
    self.nextLook = nextLook
    self.failureLog = failureLog
    self.failingOnBase = failingOnBase
    self.steering = steering
  }
}
