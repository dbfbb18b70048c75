import Foundation
import Manifest

/// A host's answer to one `wt` command run there during a pass.
public struct HostAnswer: Sendable {
  public var host: RemoteHost
  public var result: Result<CommandOutput, Error>

  public init(host: RemoteHost, result: Result<CommandOutput, Error>) {
    self.host = host
    self.result = result
  }

  /// A host that did not answer, or whose wt failed, leaves the pass
  /// incomplete; a `diff --detailed-exitcode` that found changes (2) is
  /// an answer, not a failure.
  public var failed: Bool {
    switch result {
    case .success(let out): !out.succeeded && out.status != 2
    case .failure: true
    }
  }
}

/// What a pass shows before it applies anything, and what a person is
/// asked about when the pass is not unattended.
public struct PassPreview: Sendable {
  /// This machine's plan (empty when no local project is part of the pass).
  public var plan: Plan
  /// Whether this machine's projects are part of the pass.
  public var includesLocal: Bool
  /// Each host's `wt diff`, when a person is asked (unattended, hosts plan
  /// and apply in one go and answer in `PassReport.hosts`).
  public var hosts: [HostAnswer]

  /// Something to apply here or on a host.
  public var hasChanges: Bool {
    !plan.isEmpty || hosts.contains { if case .success(let out) = $0.result { out.status == 2 } else { false } }
  }
}

/// Something the loop must look at again later, and why: the loop, not
/// the next command a person happens to run, comes back to it (as
/// controller-runtime's `Result{RequeueAfter:}`).
public struct Requeue: Equatable, Sendable {
  public var after: Duration
  public var reason: String

  public init(after: Duration, reason: String) {
    self.after = after
    self.reason = reason
  }
}

/// What one pass observed, planned, did and left for later.
public struct PassReport: Sendable {
  public var preview: PassPreview
  /// False when a person was asked and said no: nothing was applied.
  public var approved: Bool
  /// This machine's changes, in plan order.
  public var steps: [StepReport]
  /// Each host's `wt apply` (its own output: plan, steps, summary).
  public var hosts: [HostAnswer]
  public var requeue: [Requeue]

  public var plan: Plan { preview.plan }

  /// A change failed here, or a host was not reached or failed.
  public var failed: Bool {
    steps.contains(where: \.failed) || hosts.contains(where: \.failed) || preview.hosts.contains(where: \.failed)
  }

  /// The soonest time the loop must come back, if any.
  public var nextRequeue: Requeue? { requeue.min { $0.after < $1.after } }

  public func count(_ outcome: (StepReport.Outcome) -> Bool) -> Int { steps.filter { outcome($0.outcome) }.count }
}
