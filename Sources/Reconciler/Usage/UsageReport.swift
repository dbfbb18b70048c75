import Foundation
import Manifest

/// One worker's tokens on one UTC day, or a sum of such rows (`--by`):
/// what `wt usage` prints and the planner's budgets count.
public struct UsageRow: Codable, Equatable, Sendable {
  public var worker: String?
  public var bead: String?
  public var project: String?
  public var account: String?
  public var agent: String?
  public var day: String?
  /// Nil where the agent records none ("?").
  public var tokens: Tokens?
  /// At `settings.prices` for the row's agent; nil without prices.
  public var cost: Double?

  public init(
    worker: String?, bead: String?, project: String?, account: String?, agent: String?, day: String?, tokens: Tokens?,
    cost: Double?
  ) {
    self.worker = worker
    self.bead = bead
    self.project = project
    self.account = account
    self.agent = agent
    self.day = day
    self.tokens = tokens
    self.cost = cost
  }

  /// Every key, `null` where not known (docs/json.md).
  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(worker, forKey: .worker)
    try c.encode(bead, forKey: .bead)
    try c.encode(project, forKey: .project)
    try c.encode(account, forKey: .account)
    try c.encode(agent, forKey: .agent)
    try c.encode(day, forKey: .day)
    try c.encode(tokens, forKey: .tokens)
    try c.encode(cost, forKey: .cost)
  }
}

public enum UsageReport {
  /// What `--by` sums over.
  public enum Grouping: String, CaseIterable, Sendable {
    case bead, project, account, day
  }

  /// One row per worker and day, oldest day first; a worker whose agent
  /// records no usage has one row with null tokens.
  public static func rows(_ ledger: UsageLedger, prices: [String: Prices]) -> [UsageRow] {
    var out: [UsageRow] = []
    for (name, w) in ledger.workers {
      let price = w.agent.flatMap { prices[$0] }
      if w.days.isEmpty {
        let known = UsageSource(rawValue: w.source) ?? .none != .none
        out.append(
          UsageRow(
            worker: name, bead: w.bead, project: w.project, account: w.account, agent: w.agent, day: nil,
            tokens: known ? .zero : nil, cost: known ? price.map { _ in 0 } : nil))
        continue
      }
      for (day, tokens) in w.days {
        out.append(
          UsageRow(
            worker: name, bead: w.bead, project: w.project, account: w.account, agent: w.agent, day: day, tokens: tokens,
            cost: price.map(tokens.cost)))
      }
    }
    return out.sorted { ($0.day ?? "", $0.worker ?? "") < ($1.day ?? "", $1.worker ?? "") }
  }

  /// Sums by `grouping`; a group's cost is null when any of its rows has
  /// none (a partial sum would look whole), its tokens null when none of
  /// its rows has figures.
  public static func sums(_ rows: [UsageRow], by grouping: Grouping) -> [UsageRow] {
    var order: [String] = []
    var groups: [String: UsageRow] = [:]
    for row in rows {
      let key: String?
      switch grouping {
      case .bead: key = row.project.map { "\($0)/\(row.bead ?? "")" }
      case .project: key = row.project
      case .account: key = row.account ?? row.agent.map { "(\($0))" }
      case .day: key = row.day
      }
      guard let key else { continue }
      guard var sum = groups[key] else {
        order.append(key)
        groups[key] = UsageRow(
          worker: nil, bead: grouping == .bead ? row.bead : nil,
          project: grouping == .bead || grouping == .project ? row.project : nil,
          account: grouping == .account ? row.account : nil, agent: grouping == .account ? row.agent : nil,
          day: grouping == .day ? row.day : nil, tokens: row.tokens, cost: row.tokens == nil ? nil : row.cost)
        continue
      }
      if let t = row.tokens {
        sum.tokens = (sum.tokens ?? .zero) + t
        sum.cost = sum.cost.flatMap { c in row.cost.map { c + $0 } }
      }
      if grouping == .account, sum.agent != row.agent { sum.agent = nil }
      groups[key] = sum
    }
    return order.sorted().compactMap { groups[$0] }
  }
}

extension World {
  /// The usage ledger brought up to date for the recorded workers (or only
  /// `worker`): read where the loop, `wt status` and `wt usage` need it.
  public func usage(_ manifest: Manifest, state: State, only worker: String? = nil) throws -> UsageLedger {
    var meter = UsageMeter(store: store, environment: environment)
    return try meter.refresh(manifest, state: state, only: worker)
  }

  /// Reads a worker's last figures before its worktree (where Aider keeps
  /// its history) and its record go, so a finished worker's usage stays.
  func settleUsage(_ manifest: Manifest, worker: String) {
    guard let state = try? store.load(), state.workers[worker] != nil else { return }
    _ = try? usage(manifest, state: state, only: worker)
  }

  /// One row per worker and UTC day, costed at `settings.prices`.
  public func usageRows(_ manifest: Manifest, state: State) throws -> [UsageRow] {
    UsageReport.rows(try usage(manifest, state: state), prices: manifest.settings.prices)
  }
}
