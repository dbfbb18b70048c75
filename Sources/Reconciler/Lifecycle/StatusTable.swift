import Foundation

/// `wt status` and `wt watch` as a table that fits the terminal: the title
/// column gives way first, then the worktree column is dropped.
public enum StatusTable {
  public static func render(_ rows: [WorkerStatus], width: Int, color: Bool = false, selected: Int? = nil) -> String {
    let showWorktree = width >= 150
    var header = ["WORKER", "STATUS", "FOR", "IDLE", "AHEAD", "DIRTY", "MEM", "TITLE"]
    if showWorktree { header.append("WORKTREE") }
    let cells: [[String]] = rows.map { r in
      var c = [
        r.name, r.status, duration(r.statusAge), duration(r.idleFor), r.commitsAhead.map(String.init) ?? "-",
        r.uncommittedFiles.map(String.init) ?? "-", r.memoryBytes.map(megabytes) ?? (r.memoryUnknown ? "?" : "-"),
        r.title + (r.message.map { $0.isEmpty ? "" : " — \($0)" } ?? ""),
      ]
      if showWorktree { c.append(r.worktree) }
      return c
    }
    var widths = header.map(\.count)
    for row in cells { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
    // Fit: the title (index 7) takes what the other columns leave.
    let titleIndex = 7
    let others = widths.enumerated().filter { $0.offset != titleIndex }.reduce(0) { $0 + $1.element + 2 }
    widths[titleIndex] = max(5, min(widths[titleIndex], width - others - 2))
    func line(_ row: [String], paint: String? = nil, marker: String = "  ") -> String {
      var parts: [String] = []
      for (i, cell) in row.enumerated() {
        var text = cell.count > widths[i] ? String(cell.prefix(max(0, widths[i] - 1))) + "…" : cell
        if i < row.count - 1 { text = text.padding(toLength: widths[i], withPad: " ", startingAt: 0) }
        if i == 1, let paint, color { text = "\u{1B}[\(paint)m\(text)\u{1B}[0m" }
        parts.append(text)
      }
      return marker + parts.joined(separator: "  ")
    }
    var out = line(header) + "\n"
    for (i, row) in cells.enumerated() {
      out += line(row, paint: statusColor(rows[i].status), marker: selected == i ? "> " : "  ") + "\n"
    }
    for r in rows where !r.sharesFilesWith.isEmpty && r.name < (r.sharesFilesWith.first ?? "") {
      out += "  warning: \(r.name) and \(r.sharesFilesWith.joined(separator: ", ")) changed the same files; the second to merge will conflict\n"
    }
    return out
  }

  static func statusColor(_ status: String) -> String {
    switch status {
    case "needs-input", "stuck", "dead": "31;1"
    case "limited", "kept": "33"
    case "working": "32"
    case "done": "36"
    default: "0"
    }
  }

  static func duration(_ seconds: Int?) -> String {
    guard let s = seconds else { return "-" }
    if s < 60 { return "\(s)s" }
    if s < 3600 { return "\(s / 60)m" }
    if s < 86400 { return "\(s / 3600)h\(s % 3600 / 60 == 0 ? "" : "\(s % 3600 / 60)m")" }
    return "\(s / 86400)d"
  }

  static func megabytes(_ bytes: UInt64) -> String { "\(bytes >> 20)M" }
}
