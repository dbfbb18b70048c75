/// `budget:` (under `settings:` and on a project) and `settings.prices`
/// (issue 23): what the agents' work may use, and what it costs.
extension NodeReader {
  static let budgetKeys = ["bead", "project_day", "day"]
  static let priceKeys = ["input", "output", "cache_read", "cache_write"]

  /// A `budget:` block. `day` (all projects' day) belongs under `settings:`
  /// only: on a project, `project_day` says its own day.
  func budget(_ node: YAMLNode, context: String, allowDay: Bool) -> WrittenBudget? {
    let known = allowDay ? Self.budgetKeys : Self.budgetKeys.filter { $0 != "day" }
    guard let f = fields(node, key: "budget", context: context, known: known) else { return nil }
    var out = WrittenBudget(value: Budget(), file: file, marks: [:])
    for key in known {
      guard let n = f[key] else { continue }
      out.marks[key] = n.mark
      let amount = amount(n, key: "\(context).\(key)")
      switch key {
      case "bead": out.value.bead = amount
      case "project_day": out.value.projectDay = amount
      default: out.value.day = amount
      }
    }
    return out
  }

  /// `2M`, `500k`, `12000` (tokens) or `$5` (money).
  func amount(_ node: YAMLNode, key: String) -> Budget.Amount? {
    guard case .scalar(let text, _) = node.kind, !node.isNull else {
      report(.wrongType(key: key, expected: "a token count (2M) or an amount ($5)", got: node.typeName), at: node.mark)
      return nil
    }
    if let money = Money.parse(text) { return .money(money) }
    if let tokens = TokenCount.parse(text) { return .tokens(tokens) }
    report(.invalidBudget(key: key, value: text), at: node.mark)
    return nil
  }

  /// `settings.prices`: per agent, per million tokens.
  func prices(_ node: YAMLNode) -> [String: Prices] {
    var out: [String: Prices] = [:]
    for entry in entries(node, key: "prices") {
      let context = "settings.prices.\(entry.name)"
      guard let f = fields(entry.value, key: entry.name, context: context, known: Self.priceKeys) else { continue }
      let figure = { (key: String) -> Double? in
        guard let n = f[key] else { return nil }
        guard case .scalar(let text, .plain) = n.kind, let v = Double(text), v.isFinite else {
          self.report(.wrongType(key: "\(context).\(key)", expected: "a number", got: n.typeName), at: n.mark)
          return nil
        }
        guard v >= 0 else {
          self.report(.outOfRange(key: "\(context).\(key)", value: text, expected: "at least 0"), at: n.mark)
          return nil
        }
        return v
      }
      guard let input = figure("input"), let output = figure("output") else {
        for key in ["input", "output"] where f[key] == nil { report(.missingKey(key, in: context), at: entry.key.mark) }
        continue
      }
      out[entry.name] = Prices(
        input: input, output: output, cacheRead: figure("cache_read") ?? 0, cacheWrite: figure("cache_write") ?? 0)
    }
    return out
  }
}

extension Budget {
  /// The amounts written in money, with their keys, for the price check.
  var moneyKeys: [(key: String, amount: Amount)] {
    [("bead", bead), ("project_day", projectDay), ("day", day)].compactMap { key, amount in
      if case .money = amount { return (key, amount!) }
      return nil
    }
  }
}

/// A `budget:` block with where each amount was written.
struct WrittenBudget: Hashable, Sendable {
  var value: Budget
  var file: String
  var marks: [String: Mark]
}

/// An amount in money needs the agent's prices: checked once the projects'
/// agents are known.
func budgetPriceProblems(
  _ budget: WrittenBudget, context: String, agents: [String], prices: [String: Prices]
) -> [Diagnostic] {
  var out: [Diagnostic] = []
  for (key, amount) in budget.value.moneyKeys {
    for agent in agents where prices[agent] == nil {
      out.append(
        Diagnostic(
          file: budget.file, mark: budget.marks[key] ?? Mark(line: 1, column: 1),
          problem: .budgetNeedsPrices(key: "\(context).\(key)", amount: amount.description, agent: agent)))
    }
  }
  return out
}

extension ManifestLoader {
  /// `settings.budget`'s amounts need prices for every agent a project runs.
  static func settingsBudgetProblems(_ doc: ManifestDocument, projects: [Project]) -> [Diagnostic] {
    guard let budget = doc.settingsBudget else { return [] }
    let agents = Set(projects.flatMap(\.agents)).sorted()
    return budgetPriceProblems(budget, context: "settings.budget", agents: agents, prices: doc.settings.prices)
  }
}
