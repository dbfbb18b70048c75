import Foundation
import Manifest
import Reconciler

/// `wt usage` as text: a row per worker and day (or per group), "?" where
/// the agent records no usage, "-" where there is no price.
public enum UsageTable {
  public static func render(_ rows: [UsageRow], by: UsageReport.Grouping?) -> String {
    let head: [String]
    switch by {
    case nil: head = ["DAY", "WORKER", "AGENT"]
    case .bead: head = ["BEAD"]
    case .project: head = ["PROJECT"]
    case .account: head = ["ACCOUNT"]
    case .day: head = ["DAY"]
    }
    var table = [head + ["INPUT", "OUTPUT", "CACHE READ", "CACHE WRITE", "COST"]]
    for r in rows {
      let key: [String]
      switch by {
      case nil: key = [r.day ?? "-", r.worker ?? "", r.agent ?? "-"]
      case .bead: key = ["\(r.project ?? "")/\(r.bead ?? "")"]
      case .project: key = [r.project ?? ""]
      case .account: key = [r.account ?? "(\(r.agent ?? "?"))"]
      case .day: key = [r.day ?? ""]
      }
      let figures = r.tokens.map { t in [t.input, t.output, t.cacheRead, t.cacheWrite].map(TokenCount.short) }
        ?? ["?", "?", "?", "?"]
      table.append(key.map { TerminalText.escape($0) } + figures + [r.cost.map(cost) ?? "-"])
    }
    let widths = table[0].indices.map { i in table.map { DisplayWidth.of($0[i]) }.max() ?? 0 }
    return table.map { row in
      row.enumerated().map { i, cell in
        let pad = String(repeating: " ", count: widths[i] - DisplayWidth.of(cell))
        return i < head.count ? cell + pad : pad + cell
      }.joined(separator: "  ").trimmingCharacters(in: .whitespaces) + "\n"
    }.joined()
  }

  static func cost(_ value: Double) -> String { String(format: "%.2f", value) }
}
