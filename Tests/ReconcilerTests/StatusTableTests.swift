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
    var rows = Self.rows
    rows[0].tokens = Tokens(input: 41_200, output: 3_150, cacheRead: 900_000, cacheWrite: 12_000)
    let text = StatusTable.render(rows, width: width)
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

  /// Input plus output tokens, all days; "?" where the agent records none.
  @Test func tokensShowInputPlusOutputOrAQuestionMark() {
    var rows = Self.rows
    rows[0].tokens = Tokens(input: 1_200_000, output: 34_000, cacheRead: 5, cacheWrite: 5)
    rows[1].tokens = nil
    let lines = StatusTable.render(rows, width: 120).split(separator: "\n").map { $0.split(separator: " ") }
    let tokens = 7  // WORKER STATUS FOR IDLE AHEAD DIRTY MEM TOKENS
    #expect(lines[0][tokens] == "TOKENS")
    #expect(lines[1][tokens] == "1.2M")
    #expect(lines[2][tokens] == "?")
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

/// docs/watch.md shows a screen captured from a real run: its table is what
/// StatusTable draws for those rows at that width.
@Suite(.timeLimit(.minutes(1))) struct DocumentedScreenTests {
  @Test func theWatchScreenInTheDocsIsTheTableWtDraws() throws {
    let page = try String(contentsOfFile: "\(packageRoot)/docs/watch.md", encoding: .utf8)
    let block = try #require(page.components(separatedBy: "```\n").dropFirst().first, "docs/watch.md shows no screen")
    let table = Array(block.split(separator: "\n").map(String.init).dropFirst())
    let width = try #require(table.map(DisplayWidth.of).max())
    func row(
      _ bead: String, _ title: String, _ status: WorkerState, age: Int?, idle: Int, ahead: Int, dirty: Int, message: String?,
      tokens: Int = 0
    ) -> WorkerStatus {
      var r = WorkerStatus(
        name: "shop/\(bead)", project: "shop", bead: bead, title: title, status: status, statusAge: age, idleFor: idle,
        commitsAhead: ahead, uncommittedFiles: dirty, memoryBytes: 14 << 20, worktree: "/w/shop/\(bead)",
        session: "wt-shop__\(bead)", message: message)
      r.tokens = Tokens(input: tokens, output: 0)
      return r
    }
    let rows = [
      row(
        "shop-qfv", "Fix the checkout rounding bug", .needsInput, age: 3, idle: 5, ahead: 0, dirty: 1,
        message: "rounding: banker's or half-up for totals?", tokens: 18_400),
      row("shop-7e2", "Add a price list for the spring market", .working, age: nil, idle: 4, ahead: 1, dirty: 0, message: nil, tokens: 9_300),
      row("shop-su6", "Write the opening hours", .idle, age: 3, idle: 4, ahead: 0, dirty: 0, message: nil, tokens: 2_100),
    ]
    let drawn = StatusTable.render(rows, width: width, selected: 0).split(separator: "\n").map(String.init)
    #expect(drawn == table, "\(drawn.joined(separator: "\n"))")
  }
}
