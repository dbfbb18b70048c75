import Testing
@testable import Manifest

/// `budget:` and `settings.prices` (issue 23): read with their positions,
/// and an amount of money only where the agent has prices.
@Suite(.timeLimit(.minutes(1))) struct BudgetManifestTests {
  @Test func readsTokenCountsAmountsAndPrices() throws {
    let box = Sandbox()
    box.mkdir("api")
    box.mkdir("web")
    let result = box.load(
      """
      version: 1
      settings:
        budget: {bead: 500k, project_day: 2M, day: $40}
        prices:
          claude: {input: 3, output: 15, cache_read: 0.3, cache_write: 3.75}
      projects:
        api:
          path: api
          budget: {bead: $2.50}
        web:
          path: web
          budget: {project_day: 1.5M}
      """)
    #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
    let m = try #require(result.manifest)
    #expect(m.settings.budget == Budget(bead: .tokens(500_000), projectDay: .tokens(2_000_000), day: .money(40)))
    #expect(m.settings.prices == ["claude": Prices(input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75)])
    #expect(m.project(named: "api")?.budget == Budget(bead: .money(2.5)))
    #expect(m.project(named: "web")?.budget == Budget(projectDay: .tokens(1_500_000)))
  }

  @Test func reportsEveryMistakeWhereItIsWritten() {
    let box = Sandbox()
    box.mkdir("api")
    let result = box.load(
      """
      version: 1
      settings:
        budget: {bead: lots, day: $5, week: 1M}
        prices:
          claude: {input: 3}
          aider: {input: 1, output: -2}
      projects:
        api:
          path: api
          budget:
            day: 2M
            project_day: $1
      """)
    #expect(result.manifest == nil)
    #expect(
      problems(result) == [
        at(3, 18, .invalidBudget(key: "settings.budget.bead", value: "lots")),
        at(3, 29, .budgetNeedsPrices(key: "settings.budget.day", amount: "$5", agent: "claude")),
        at(3, 33, .unknownKey("week", in: "settings.budget", suggestion: nil)),
        at(5, 5, .missingKey("output", in: "settings.prices.claude")),
        at(6, 31, .outOfRange(key: "settings.prices.aider.output", value: "-2", expected: "at least 0")),
        // `day` is all projects' day: under settings only.
        at(11, 7, .unknownKey("day", in: "project 'api'.budget", suggestion: nil)),
        at(12, 20, .budgetNeedsPrices(key: "project 'api'.budget.project_day", amount: "$1", agent: "claude")),
      ])
  }

  @Test func tokenCountsAndAmountsAsWritten() {
    #expect(TokenCount.parse("2M") == 2_000_000)
    #expect(TokenCount.parse("500k") == 500_000)
    #expect(TokenCount.parse("1.5M") == 1_500_000)
    #expect(TokenCount.parse("12000") == 12_000)
    #expect(TokenCount.parse("-5") == nil)
    #expect(TokenCount.parse("k") == nil)
    #expect(Money.parse("$5") == 5)
    #expect(Money.parse("$0.25") == 0.25)
    #expect(Money.parse("5$") == nil)
    #expect(Money.parse("$") == nil)
    #expect(TokenCount.short(1_234_567) == "1.2M")
    #expect(TokenCount.short(56_400) == "56k")
    #expect(TokenCount.short(1_250) == "1.2k")
  }
}
