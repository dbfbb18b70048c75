import Foundation
import Manifest

extension Observed {
  /// A worker's tokens over all days and their cost; nil tokens where its
  /// agent records none, nil cost without prices.
  public func usage(of worker: String) -> (Tokens?, Double?) {
    let rows = usage.filter { $0.worker == worker }
    guard !rows.isEmpty else { return (nil, nil) }
    let sum = UsageReport.sums(rows, by: .project).first
    return (sum?.tokens, sum?.cost)
  }

  /// What `rows` spent as `amount` counts it: input plus output tokens, or
  /// the cost (cache tokens included).
  static func spent(_ rows: [UsageRow], as amount: Budget.Amount) -> Double {
    switch amount {
    case .tokens: Double(rows.reduce(0) { $0 + ($1.tokens?.counted ?? 0) })
    case .money: rows.reduce(0) { $0 + ($1.cost ?? 0) }
    }
  }

  /// Which budget, if any, a new start in `project` on `bead` would pass,
  /// in words for `wt ready` and `wt diff`; nil when none is spent.
  /// Days are UTC (issue 23).
  func spentBudget(_ manifest: Manifest, project: Project, bead: String) -> String? {
    let settings = manifest.settings.budget
    let today = UTCDay.of(now)
    let checks: [(Budget.Amount?, String, [UsageRow])] = [
      (settings.day, "today's budget (settings.budget.day)", usage.filter { $0.day == today }),
      (
        project.budget.projectDay ?? settings.projectDay,
        "\(project.name)'s budget for today (\(project.budget.projectDay == nil ? "settings.budget" : "budget").project_day)",
        usage.filter { $0.day == today && $0.project == project.name }
      ),
      (
        project.budget.bead ?? settings.bead,
        "the bead's budget (\(project.budget.bead == nil ? "settings.budget" : "budget").bead)",
        usage.filter { $0.project == project.name && $0.bead == bead }
      ),
    ]
    for (amount, what, rows) in checks {
      guard let amount else { continue }
      let spent = Self.spent(rows, as: amount)
      if spent >= Self.value(amount) {
        return "budget: \(what) of \(amount) is spent (\(Self.describe(spent, as: amount)) used; days are UTC)"
      }
    }
    return nil
  }

  /// Whether `record`'s bead has passed its budget: a worker that has is
  /// paused once its turn ends.
  func passedBeadBudget(_ manifest: Manifest, record: WorkerRecord) -> String? {
    guard let project = manifest.project(named: record.project),
      let amount = project.budget.bead ?? manifest.settings.budget.bead
    else { return nil }
    let spent = Self.spent(usage.filter { $0.project == record.project && $0.bead == record.bead }, as: amount)
    guard spent >= Self.value(amount) else { return nil }
    return "bead budget \(amount) spent (\(Self.describe(spent, as: amount)) used)"
  }

  static func value(_ amount: Budget.Amount) -> Double {
    switch amount {
    case .tokens(let n): Double(n)
    case .money(let m): m
    }
  }

  static func describe(_ spent: Double, as amount: Budget.Amount) -> String {
    switch amount {
    case .tokens: TokenCount.short(Int(spent))
    case .money: "$" + String(format: "%.2f", spent)
    }
  }
}
