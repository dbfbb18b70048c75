import Foundation
import Manifest
import Reconciler

/// `wt status` and `wt watch` as a table that fits the terminal: the title
/// column gives way first, then the worktree column is dropped.
public enum StatusTable {
  public static func render(_ rows: [WorkerStatus], width: Int, color: Bool = false, selected: Int? = nil) -> String {
    let showWorktree = width >= 150
    // HOST only when some worker runs elsewhere; "-" is this machine.
    let showHost = rows.contains { $0.host != nil }
    // TOKENS: input plus output, all days (`wt usage`); "?" where the
    // agent records none.
    var header = ["WORKER", "STATUS", "FOR", "IDLE", "AHEAD", "DIRTY", "MEM", "TOKENS", "TITLE"]
    if showWorktree { header.append("WORKTREE") }
    if showHost { header.insert("HOST", at: 0) }
    let cells: [[String]] = rows.map { r in
      var c = [
        TerminalText.escape(r.name), TerminalText.escape(r.statusText()), duration(r.statusAge), duration(r.idleFor), r.commitsAhead.map(String.init) ?? "-",
        r.uncommittedFiles.map(String.init) ?? "-", r.memoryBytes.map(megabytes) ?? (r.memoryUnknown ? "?" : "-"),
        r.tokens.map { TokenCount.short($0.counted) } ?? "?",
        TerminalText.escape(r.title + (r.message.map { $0.isEmpty ? "" : " — \($0)" } ?? "")),
      ]
      if showWorktree { c.append(TerminalText.escape(r.worktree)) }
      if showHost { c.insert(TerminalText.escape(r.host ?? "-"), at: 0) }
      return c
    }
    var widths = header.map(DisplayWidth.of)
    for row in cells { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], DisplayWidth.of(cell)) } }
    // Fit: the title takes what the other columns leave.
    let titleIndex = showHost ? 9 : 8
    let statusIndex = showHost ? 2 : 1
    let others = widths.enumerated().filter { $0.offset != titleIndex }.reduce(0) { $0 + $1.element + 2 }
    widths[titleIndex] = max(5, min(widths[titleIndex], width - others - 2))
    func line(_ row: [String], paint: String? = nil, marker: String = "  ") -> String {
      var parts: [String] = []
      for (i, cell) in row.enumerated() {
        var text = DisplayWidth.truncate(cell, to: widths[i])
        if i < row.count - 1 { text = DisplayWidth.pad(text, to: widths[i]) }
        if i == statusIndex, let paint, color { text = "\u{1B}[\(paint)m\(text)\u{1B}[0m" }
        parts.append(text)
      }
      return marker + parts.joined(separator: "  ")
    }
    var out = line(header) + "\n"
    for (i, row) in cells.enumerated() {
      out += line(row, paint: statusColor(rows[i].status), marker: selected == i ? "> " : "  ") + "\n"
    }
    for r in rows where !r.sharesFilesWith.isEmpty && r.name < (r.sharesFilesWith.first ?? "") {
      out += "  warning: \(TerminalText.escape(r.name)) and \(TerminalText.escape(r.sharesFilesWith.joined(separator: ", "))) changed the same files; the second to merge will conflict\n"
    }
    return out
  }

  static func statusColor(_ status: WorkerState) -> String {
    switch status {
    case .needsInput, .stuck, .dead: "31;1"
    case .limited, .kept, .orphaned: "33"
    case .working: "32"
    case .done: "36"
    case .starting, .idle: "0"
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
