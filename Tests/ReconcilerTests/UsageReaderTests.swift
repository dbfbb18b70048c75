import Foundation

import Testing
@testable import Manifest
@testable import Presentation
@testable import Reconciler

/// The usage readers on literal records: Claude Code's transcript lines
/// (shapes from the real 2.1.337, docs/usage.md) and Aider's chat history.
@Suite(.timeLimit(.minutes(1))) struct UsageReaderTests {
  static func assistant(
    id: String, request: String = "req_1", at: String = "2026-12-06T15:02:33.123Z", input: Int, output: Int,
    cacheWrite: Int = 0, cacheRead: Int = 0, error: Bool = false
  ) -> String {
    let err = error ? #","isApiErrorMessage":true,"apiErrorStatus":429,"error":"rate_limit""# : ""
    let model = error ? "<synthetic>" : "claude-sonnet-4-5"
    return #"{"parentUuid":"p","type":"assistant","timestamp":"\#(at)","requestId":"\#(request)","message":{"id":"\#(id)","model":"\#(model)","role":"assistant","content":[{"type":"text","text":"ok"}],"usage":{"input_tokens":\#(input),"cache_creation_input_tokens":\#(cacheWrite),"cache_read_input_tokens":\#(cacheRead),"output_tokens":\#(output),"service_tier":"standard"}}\#(err)}"#
  }

  static let user = #"{"type":"user","timestamp":"2026-12-06T15:02:30.000Z","message":{"role":"user","content":"say usage please"}}"#

  func lines(_ l: [String]) -> Data { Data((l.joined(separator: "\n") + "\n").utf8) }

  @Test func sumsAssistantRecordsOncePerMessageAndSkipsErrors() {
    var reader = ClaudeTranscriptUsage()
    let turns = reader.turns(in: lines([
      Self.user,
      Self.assistant(id: "msg_1", input: 1234, output: 56, cacheWrite: 100, cacheRead: 200),
      // A second content block of the same response repeats its usage.
      Self.assistant(id: "msg_1", input: 1234, output: 56, cacheWrite: 100, cacheRead: 200),
      Self.assistant(id: "msg_2", request: "req_2", input: 3000, output: 70, cacheWrite: 500, cacheRead: 2500),
      Self.assistant(id: "msg_err", request: "req_3", input: 0, output: 0, error: true),
      "not json at all",
    ]))
    #expect(turns == [
      .init(day: "2026-12-06", tokens: Tokens(input: 1234, output: 56, cacheRead: 200, cacheWrite: 100)),
      .init(day: "2026-12-06", tokens: Tokens(input: 3000, output: 70, cacheRead: 2500, cacheWrite: 500)),
    ])
  }

  @Test func anErrorRecordWithUsageStillCountsNothing() {
    var reader = ClaudeTranscriptUsage()
    #expect(reader.turns(in: lines([Self.assistant(id: "m", input: 9, output: 9, error: true)])).isEmpty)
  }

  @Test func aRepeatInALaterReadIsStillSkipped() {
    var first = ClaudeTranscriptUsage()
    _ = first.turns(in: lines([Self.assistant(id: "msg_1", input: 10, output: 1)]))
    var second = ClaudeTranscriptUsage(recent: first.recent)
    #expect(second.turns(in: lines([Self.assistant(id: "msg_1", input: 10, output: 1)])).isEmpty)
  }

  @Test func theDayIsTheRecordsUTCDay() {
    #expect(ClaudeTranscriptUsage.day("2026-12-06T23:59:59.999Z") == "2026-12-06")
    #expect(ClaudeTranscriptUsage.day("2026-12-06T23:30:00-02:00") == "2026-12-07")
    #expect(ClaudeTranscriptUsage.day(nil) == UsageDay.unknown)
  }

  // Captured from the real Aider 0.86.2 against Tests/Support/fake-openai
  // (AiderTests) and from aider/coders/base_coder.py's format.
  @Test func aiderReportsAreReadWithTheirSessionsDay() throws {
    var reader = AiderHistoryUsage(timeZone: TimeZone(identifier: "Europe/Berlin")!)
    let history = """

      # aider chat started at 2026-12-07 00:30:00

      > /usr/bin/aider --no-check-update
      > Model: gpt-4o with diff edit format

      #### Add a file hello.txt

      I will create it.

      > Tokens: 2.3k sent, 56 received. Cost: $0.0063 message, $0.0063 session.  
      > Tokens: 12k sent, 2.0k cache write, 1.5k cache hit, 300 received.  
      Cost: $0.02 message, $0.03 session.
      > Tokens: lots sent  

      """
    let turns = reader.turns(in: Data(history.utf8))
    // 00:30 in Berlin is 23:30 UTC the day before.
    #expect(turns == [
      .init(day: "2026-12-06", tokens: Tokens(input: 2300, output: 56)),
      .init(day: "2026-12-06", tokens: Tokens(input: 10000, output: 300, cacheRead: 1500, cacheWrite: 2000)),
    ])
  }

  /// The history the real Aider 0.86.2 wrote against
  /// Tests/Support/fake-openai (`--no-stream`, the stand-in reporting
  /// 2345 prompt and 67 completion tokens).
  @Test func aCapturedAiderHistoryReadsAsItsReport() throws {
    let text = try String(contentsOfFile: "\(packageRoot)/Tests/ReconcilerTests/Fixtures/aider-chat-history.md", encoding: .utf8)
    var reader = AiderHistoryUsage(timeZone: TimeZone(identifier: "UTC")!)
    #expect(reader.turns(in: Data(text.utf8)) == [.init(day: "2026-12-06", tokens: Tokens(input: 2300, output: 67))])
  }

  // MARK: the meter, on files

  func scratch() -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wt-usage-\(UUID().uuidString.prefix(8))").path
    try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
  }

  func append(_ text: String, to path: String) throws {
    if !FileManager.default.fileExists(atPath: path) { FileManager.default.createFile(atPath: path, contents: nil) }
    let h = try #require(FileHandle(forWritingAtPath: path))
    try h.seekToEnd()
    try h.write(contentsOf: Data(text.utf8))
    try h.close()
  }

  /// A worker of the built-in claude profile whose HOME is `home`.
  func claudeWorker(_ dir: String) throws -> (Manifest, State, String) {
    let worktree = "\(dir)/trees/app/app-1.2"
    let folder = "\(dir)/home/.claude/projects/" + String(worktree.map { $0.isLetter || $0.isNumber ? $0 : "-" })
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    var record = WorkerRecord(name: "app/app-1.2", project: "app", bead: "app-1.2", branch: "wt/app-1.2", worktree: worktree, createdAt: Date())
    record.agent = "claude"
    record.prompt = .delivered
    let project = Project(name: "app", path: dir, base: "main", workers: 1, agent: "claude", onDone: .merge, prompt: .literal("x"), select: Selection(), copy: [], setup: [], gate: [])
    let manifest = Manifest(file: "\(dir)/wt.yaml", settings: Settings(worktreeRoot: "\(dir)/trees"), agents: BuiltInAgents.all, projects: [project])
    return (manifest, State(workers: [record.name: record]), "\(folder)/s1.jsonl")
  }

  @Test func aTornLastLineWaitsForItsEnd() throws {
    let dir = scratch()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let (manifest, state, transcript) = try claudeWorker(dir)
    var meter = UsageMeter(store: StateStore(directory: "\(dir)/state"), environment: ["HOME": "\(dir)/home"])
    let whole = Self.assistant(id: "msg_1", input: 100, output: 10)
    let torn = Self.assistant(id: "msg_2", request: "r2", input: 200, output: 20)
    try append(whole + "\n" + torn.prefix(40), to: transcript)
    var ledger = try meter.refresh(manifest, state: state)
    #expect(ledger.workers["app/app-1.2"]?.days == ["2026-12-06": Tokens(input: 100, output: 10)])
    try append(String(torn.dropFirst(40)) + "\n", to: transcript)
    ledger = try meter.refresh(manifest, state: state)
    #expect(ledger.workers["app/app-1.2"]?.days == ["2026-12-06": Tokens(input: 300, output: 30)])
  }

  @Test func aFinishedWorkersFiguresStay() throws {
    let dir = scratch()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let (manifest, state, transcript) = try claudeWorker(dir)
    var meter = UsageMeter(store: StateStore(directory: "\(dir)/state"), environment: ["HOME": "\(dir)/home"])
    try append(Self.assistant(id: "msg_1", input: 100, output: 10) + "\n", to: transcript)
    try meter.refresh(manifest, state: state)
    // Torn down: no record any more, and its last turn was written after.
    try append(Self.assistant(id: "msg_2", request: "r2", input: 1, output: 1) + "\n", to: transcript)
    var ledger = try meter.refresh(manifest, state: State())
    #expect(ledger.workers["app/app-1.2"]?.days == ["2026-12-06": Tokens(input: 101, output: 11)])
    // Read once after its record went, then no more.
    try append(Self.assistant(id: "msg_3", request: "r3", input: 1, output: 1) + "\n", to: transcript)
    ledger = try meter.refresh(manifest, state: State())
    #expect(meter.bytesRead == 0)
    #expect(ledger.workers["app/app-1.2"]?.days == ["2026-12-06": Tokens(input: 101, output: 11)])
    // The same worker started again reads on from where it was.
    ledger = try meter.refresh(manifest, state: state)
    #expect(ledger.workers["app/app-1.2"]?.days == ["2026-12-06": Tokens(input: 102, output: 12)])
    let rows = UsageReport.rows(ledger, prices: ["claude": Prices(input: 3, output: 15)])
    #expect(rows == [UsageRow(worker: "app/app-1.2", bead: "app-1.2", project: "app", account: nil, agent: "claude", day: "2026-12-06", tokens: Tokens(input: 102, output: 12), cost: (102 * 3 + 12 * 15) / 1e6)])
  }

  /// A long transcript is read once; later looks read only what was
  /// appended (the loop and the hub look every few seconds).
  @Test func aHugeTranscriptIsReadOnceThenOnlyItsNewBytes() throws {
    let dir = scratch()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let (manifest, state, transcript) = try claudeWorker(dir)
    // 20 MB: tool results (no usage) between 2,000 responses.
    let filler = #"{"type":"user","message":{"role":"user","content":[{"type":"tool_result","content":""# + String(repeating: "x", count: 10_000) + #""}]}}"#
    var text = ""
    for i in 0..<2000 { text += Self.assistant(id: "m\(i)", request: "r\(i)", input: 1, output: 2) + "\n" + filler + "\n" }
    try append(text, to: transcript)
    let size = try #require(FileManager.default.attributesOfItem(atPath: transcript)[.size] as? Int)
    var meter = UsageMeter(store: StateStore(directory: "\(dir)/state"), environment: ["HOME": "\(dir)/home"])
    let clock = ContinuousClock()
    var ledger = UsageLedger()
    let first = try clock.measure { ledger = try meter.refresh(manifest, state: state) }
    // Each 8 MiB chunk's torn last line is read again with the next one.
    #expect((size..<size + 3 * 20_000).contains(meter.bytesRead))
    #expect(ledger.workers["app/app-1.2"]?.days["2026-12-06"] == Tokens(input: 2000, output: 4000))
    let line = Self.assistant(id: "new", request: "rn", input: 5, output: 5) + "\n"
    try append(line, to: transcript)
    let again = try clock.measure { ledger = try meter.refresh(manifest, state: state) }
    #expect(meter.bytesRead == line.utf8.count)
    #expect(ledger.workers["app/app-1.2"]?.days["2026-12-06"] == Tokens(input: 2005, output: 4005))
    let idle = try clock.measure { try meter.refresh(manifest, state: state) }
    #expect(meter.bytesRead == 0)
    print("usage meter: first read of \(size) bytes \(first), one appended line \(again), nothing new \(idle)")
  }

  /// Claude Code names a working directory's folder with every character
  /// but letters and digits turned into `-` (2.1.337: `/tmp/a.b_c d` is
  /// `-tmp-a-b-c-d`); a bead id with a dot is such a worktree.
  @Test func aWorktreeWithDotsHasItsFolderFound() throws {
    let dir = scratch()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let worktree = "\(dir)/trees/app/app-1.2_x y"
    let folder = "\(dir)/config/projects/" + String(worktree.map { $0.isLetter || $0.isNumber ? $0 : "-" })
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    try "{}\n".write(toFile: "\(folder)/s1.jsonl", atomically: true, encoding: .utf8)
    let files = ClaudeFiles(environment: ["HOME": "\(dir)/home", "CLAUDE_CONFIG_DIR": "\(dir)/config"])
    #expect(files.projectFolder(worktree: worktree, session: nil) == folder)
    #expect(Transcript.path(session: "s1", worktree: worktree, configDirectory: "\(dir)/config") == "\(folder)/s1.jsonl")
  }

  /// An account that gives Claude Code its own config folder: the
  /// worker's transcripts are there, not under HOME.
  @Test func anAccountsConfigDirectoryHoldsItsWorkersTranscripts() throws {
    let dir = scratch()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    var (manifest, state, _) = try claudeWorker(dir)
    manifest.accounts = [Account(name: "work", agent: "claude", env: ["CLAUDE_CONFIG_DIR": .literal("\(dir)/work-config")])]
    state.workers["app/app-1.2"]?.account = "work"
    let worktree = try #require(state.workers["app/app-1.2"]?.worktree)
    let folder = "\(dir)/work-config/projects/" + String(worktree.map { $0.isLetter || $0.isNumber ? $0 : "-" })
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    try append(Self.assistant(id: "w1", input: 40, output: 2) + "\n", to: "\(folder)/s9.jsonl")
    var meter = UsageMeter(store: StateStore(directory: "\(dir)/state"), environment: ["HOME": "\(dir)/home"])
    let ledger = try meter.refresh(manifest, state: state)
    #expect(ledger.workers["app/app-1.2"]?.days == ["2026-12-06": Tokens(input: 40, output: 2)])
    #expect(ledger.workers["app/app-1.2"]?.account == "work")
  }

  @Test func aReplacedTranscriptIsReadFromTheStart() throws {
    let dir = scratch()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let (manifest, state, transcript) = try claudeWorker(dir)
    var meter = UsageMeter(store: StateStore(directory: "\(dir)/state"), environment: ["HOME": "\(dir)/home"])
    try append(Self.assistant(id: "a", input: 100, output: 10) + "\n", to: transcript)
    try meter.refresh(manifest, state: state)
    try FileManager.default.removeItem(atPath: transcript)
    try append(Self.assistant(id: "b", request: "rb", input: 7, output: 7) + "\n", to: transcript)
    let ledger = try meter.refresh(manifest, state: state)
    #expect(ledger.workers["app/app-1.2"]?.days["2026-12-06"] == Tokens(input: 107, output: 17))
  }

  @Test func aWorkerWhoseAgentRecordsNothingShowsUnknown() throws {
    let dir = scratch()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    var (manifest, state, _) = try claudeWorker(dir)
    state.workers["app/app-1.2"]?.agent = "codex"
    manifest.projects[0].agent = "codex"
    var meter = UsageMeter(store: StateStore(directory: "\(dir)/state"), environment: ["HOME": "\(dir)/home"])
    let rows = UsageReport.rows(try meter.refresh(manifest, state: state), prices: [:])
    #expect(rows.map(\.tokens) == [nil])
    #expect(rows.map(\.cost) == [nil])
  }

  @Test func sumsByEachGrouping() {
    let t = { (i: Int) in Tokens(input: i, output: i, cacheRead: i, cacheWrite: i) }
    let rows = [
      UsageRow(worker: "a/a-1", bead: "a-1", project: "a", account: "work", agent: "claude", day: "2026-12-05", tokens: t(1), cost: 1),
      UsageRow(worker: "a/a-1", bead: "a-1", project: "a", account: "work", agent: "claude", day: "2026-12-06", tokens: t(2), cost: 2),
      UsageRow(worker: "a/a-2", bead: "a-2", project: "a", account: nil, agent: "aider", day: "2026-12-06", tokens: t(4), cost: nil),
      UsageRow(worker: "b/b-1", bead: "b-1", project: "b", account: nil, agent: "codex", day: nil, tokens: nil, cost: nil),
    ]
    #expect(UsageReport.sums(rows, by: .project).map { [$0.project, $0.tokens.map { "\($0.input)" }, $0.cost.map { "\($0)" }] } == [
      ["a", "7", nil], ["b", nil, nil],
    ])
    #expect(UsageReport.sums(rows, by: .bead).map { ($0.bead, $0.tokens?.output, $0.cost) } .map { "\($0.0 ?? "") \($0.1 ?? -1) \($0.2 ?? -1)" } == [
      "a-1 3 3.0", "a-2 4 -1.0", "b-1 -1 -1.0",
    ])
    #expect(UsageReport.sums(rows, by: .day).map { "\($0.day ?? "") \($0.tokens?.cacheRead ?? -1)" } == ["2026-12-05 1", "2026-12-06 6"])
    #expect(UsageReport.sums(rows, by: .account).map { "\($0.account ?? "-") \($0.agent ?? "-") \($0.tokens?.cacheWrite ?? -1)" } == [
      "- aider 4", "- codex -1", "work claude 3",
    ])
  }
}

/// `wt usage` as text.
@Suite(.timeLimit(.minutes(1))) struct UsageTableTests {
  @Test func showsFiguresAQuestionMarkForNoneAndADashWithoutPrices() {
    let rows = [
      UsageRow(worker: "api/api-1", bead: "api-1", project: "api", account: nil, agent: "claude", day: "2026-12-06",
               tokens: Tokens(input: 1_234_567, output: 56_000, cacheRead: 900, cacheWrite: 12_000), cost: 4.5),
      UsageRow(worker: "api/api-2", bead: "api-2", project: "api", account: nil, agent: "codex", day: nil, tokens: nil, cost: nil),
    ]
    #expect(UsageTable.render(rows, by: nil) == """
      DAY         WORKER     AGENT   INPUT  OUTPUT  CACHE READ  CACHE WRITE  COST
      2026-12-06  api/api-1  claude   1.2M     56k         900          12k  4.50
      -           api/api-2  codex       ?       ?           ?            ?     -

      """)
    #expect(UsageTable.render(UsageReport.sums(rows, by: .project), by: .project).hasPrefix("PROJECT  INPUT"))
  }
}
