import Foundation

/// The plan as `wt diff -o json` prints it. Field names are part of wt's
/// interface (docs/json.md); add fields, never rename them.
public struct PlanJSON: Codable, Sendable {
  struct Change: Codable, Sendable {
    var action: String
    var project: String
    var bead: String
    var title: String
    var worker: String
    var branch: String
    var worktree: String
    var session: String
    var agent: String
    var reasons: [String]
    /// The host it is planned on; absent for this machine.
    var host: String?
    /// The account (`accounts:`) it runs on; null for its agent's own.
    var account: String?

    enum CodingKeys: String, CodingKey {
      case action, project, bead, title, worker, branch, worktree, session, agent, reasons, host, account
    }

    // `account` is null, not absent, for the agent's own account, as in
    // `wt status --json`; `host` is absent on this machine (docs/json.md).
    func encode(to encoder: any Encoder) throws {
      var c = encoder.container(keyedBy: CodingKeys.self)
      for (key, value) in [
        (CodingKeys.action, action), (.project, project), (.bead, bead), (.title, title), (.worker, worker),
        (.branch, branch), (.worktree, worktree), (.session, session), (.agent, agent),
      ] { try c.encode(value, forKey: key) }
      try c.encode(reasons, forKey: .reasons)
      try c.encodeIfPresent(host, forKey: .host)
      try c.encode(account, forKey: .account)
    }
  }
  struct Waiting: Codable, Sendable {
    var project: String
    var bead: String
    var title: String
    var priority: Int
    var reason: String
    var host: String?
    /// When it may start, where known (an account's reset), ISO 8601;
    /// null when no time is known.
    var until: String?

    enum CodingKeys: String, CodingKey { case project, bead, title, priority, reason, host, until }

    func encode(to encoder: any Encoder) throws {
      var c = encoder.container(keyedBy: CodingKeys.self)
      for (key, value) in [(CodingKeys.project, project), (.bead, bead), (.title, title), (.reason, reason)] {
        try c.encode(value, forKey: key)
      }
      try c.encode(priority, forKey: .priority)
      try c.encodeIfPresent(host, forKey: .host)
      try c.encode(until, forKey: .until)
    }
  }
  struct Note: Codable, Sendable {
    var project: String
    var text: String
    var host: String?
  }
  struct Summary: Codable, Sendable {
    var create: Int
    var update: Int
    var delete: Int
  }

  var formatVersion: String? = JSONOutput.formatVersion
  var changes: [Change]
  var waiting: [Waiting]
  var notes: [Note]
  var summary: Summary

  enum CodingKeys: String, CodingKey {
    case formatVersion = "format_version"
    case changes, waiting, notes, summary
  }

  public static func encode(_ value: some Encodable) throws -> String { try JSONOutput.encode(value) }

  /// A host's plan; `JSONOutput.Skew` when its `format_version` is another.
  public static func decode(_ text: String) throws -> PlanJSON {
    let plan = try JSONDecoder().decode(PlanJSON.self, from: Data(text.utf8))
    guard plan.formatVersion == JSONOutput.formatVersion else { throw JSONOutput.Skew(found: plan.formatVersion) }
    return plan
  }

  public var changeCount: Int { changes.count }

  /// A host's plan, each entry marked with the host.
  public mutating func add(_ other: PlanJSON, host: String) {
    changes += other.changes.map { var c = $0; c.host = host; return c }
    waiting += other.waiting.map { var w = $0; w.host = host; return w }
    notes += other.notes.map { var n = $0; n.host = host; return n }
    summary.create += other.summary.create
    summary.update += other.summary.update
    summary.delete += other.summary.delete
  }

  /// A note about a host as a whole.
  public mutating func add(note: String, host: String) {
    notes.append(Note(project: "", text: note, host: host))
  }

  public init(_ plan: Plan) {
    changes = plan.changes.map {
      .init(
        action: $0.action.word, project: $0.project, bead: $0.bead, title: $0.title, worker: $0.worker,
        branch: $0.branch, worktree: $0.worktree, session: $0.session, agent: $0.agent, reasons: $0.reasons,
        account: $0.account)
    }
    waiting = plan.waiting.map {
      .init(
        project: $0.project, bead: $0.bead, title: $0.title, priority: $0.priority, reason: $0.reason,
        until: $0.until.map { $0.formatted(.iso8601) })
    }
    notes = plan.notes.map { .init(project: $0.project, text: $0.text) }
    summary = .init(create: plan.count(.create), update: plan.count(.update), delete: plan.count(.delete))
  }
}
