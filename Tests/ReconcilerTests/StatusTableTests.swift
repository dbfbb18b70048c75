@testable import Presentation
import Testing
@testable import Reconciler

/// `wt status` / `wt watch` tables on fixed snapshots at several widths.
@Suite(.timeLimit(.minutes(2))) struct StatusTableTests {
  static let rows = [
    WorkerStatus(
      name: "api/api-7hd", project: "api", bead: "api-7hd", title: "Fix the login redirect loop on expired sessions",
      status: .needsInput, statusAge: 95, idleFor: 40, commitsAhead: 2, uncommittedFiles: 1, memoryBytes: 350 << 20,
      worktree: "/home/p/.local/share/wt/worktrees/api/api-7hd", session: "wt-api-api-7hd",
      message: "which database should the cache use?"),
    WorkerStatus(
      name: "web/web-a3f", project: "web", bead: "web-a3f", title: "Dark mode", status: .working, statusAge: 3700,
      idleFor: 2, commitsAhead: 0, uncommittedFiles: 4, memoryBytes: 410 << 20,
      worktree: "/home/p/.local/share/wt/worktrees/web/web-a3f", session: "wt-web-web-a3f", message: nil),
  ]

  @Test(arguments: [80, 120, 200]) func fitsTheWidth(_ width: Int) throws {
    let text = StatusTable.render(Self.rows, width: width)
    try golden("status-\(width).txt", text)
    for line in text.split(separator: "\n") { #expect(line.count <= width, "\(line)") }
  }

  @Test func memoryTheHostCannotMeasureShowsAQuestionMark() {
    var unknown = Self.rows[1]
    unknown.memoryBytes = nil
    unknown.memoryUnknown = true
    var dead = Self.rows[0]
    dead.memoryBytes = nil
    let lines = StatusTable.render([dead, unknown], width: 120).split(separator: "\n").map { $0.split(separator: " ") }
    let mem = 6  // WORKER STATUS FOR IDLE AHEAD DIRTY MEM
    #expect(lines[0][mem] == "MEM")
    #expect(lines[1][mem] == "-")
    #expect(lines[2][mem] == "?")
  }

  @Test func marksTheSelectedRowAndColoursStatusOnlyWhenAsked() {
    let plain = StatusTable.render(Self.rows, width: 120, selected: 1)
    #expect(plain.split(separator: "\n")[2].hasPrefix("> web/web-a3f"))
    #expect(!plain.contains("\u{1B}["))
    #expect(StatusTable.render(Self.rows, width: 120, color: true).contains("\u{1B}[31;1mneeds-input"))
  }

  @Test(arguments: [80, 120]) func wideTitlesFitByColumnsNotCharacters(_ width: Int) {
    var rows = Self.rows
    rows[1].title = "修复登录页面在会话过期时的无限重定向问题并补充测试 🚀🚀 ✅"
    rows[0].message = "数据库用哪一个？"
    let text = StatusTable.render(rows, width: width)
    for line in text.split(separator: "\n") { #expect(DisplayWidth.of(String(line)) <= width, "\(line)") }
    #expect(text.contains("修复"))
  }

  @Test func displayWidthCountsColumns() {
    #expect(DisplayWidth.of("abc") == 3)
    #expect(DisplayWidth.of("日本語") == 6)
    #expect(DisplayWidth.of("🚀") == 2)
    #expect(DisplayWidth.of("e\u{301}") == 1)
    #expect(DisplayWidth.truncate("日本語テキスト", to: 7) == "日本語…")
  }
}
