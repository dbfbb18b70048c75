import Foundation

/// `settings.limits`: how wt resumes a worker stopped on its provider's
/// limits (README, "Usage limits").
public struct Limits: Hashable, Sendable {
  public static let defaultMaxResumes = 5
  /// Resumes that may hit the limit again before the worker is
  /// `needs-input` with the reason.
  public var maxResumes: Int

  public init(maxResumes: Int = defaultMaxResumes) { self.maxResumes = maxResumes }
}
