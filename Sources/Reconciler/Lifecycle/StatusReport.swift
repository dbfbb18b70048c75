import Foundation
import Manifest

/// One row of `wt status`: a worker as it is now. Field names are the JSON
/// interface (docs/json.md).
public struct WorkerStatus: Codable, Equatable, Sendable {
  public var name: String
  public var project: String
  public var bead: String
  public var title: String
  public var status: WorkerState
  /// Seconds in this status.
  public var statusAge: Int?
  /// Seconds since the session last saw output or input.
  public var idleFor: Int?
  public var commitsAhead: Int?
  public var uncommittedFiles: Int?
  public var memoryBytes: UInt64?
  /// A live agent whose memory the host could not measure (`?` in the
  /// table); apart from `memoryBytes` being nil for a dead one.
  public var memoryUnknown = false
  public var worktree: String
  public var session: String
  public var message: String?
  /// Other live workers that changed a file this one changed too: they
  /// will conflict at merge.
  public var sharesFilesWith: [String] = []
  /// The host it runs on; nil on this machine.
  public var host: String?
  /// A limited worker's time to go on (its provider's reset or its
  /// backoff); nil when unknown or not limited.
  public var until: Date?
  /// The account (`accounts:`) whose credentials its agent runs with; nil
  /// for the implicit one.
  public var account: String?
  /// `wt hold`: the clock does not resume it.
  public var held = false
  /// A limit that only a person or nothing resumes: the budget.
  public var limitKind: Limit.Kind?

  /// Tokens it used, all days (`wt usage`); nil where its agent records
  /// none.
  public var tokens: Tokens?
  /// Their cost at `settings.prices`; nil without prices.
  public var cost: Double?

  enum CodingKeys: String, CodingKey {
    case name, project, bead, title, status, worktree, session, message, host, until, account, tokens, cost
    case sharesFilesWith = "shares_files_with"
    case statusAge = "status_age"
    case idleFor = "idle_for"
    case commitsAhead = "commits_ahead"
    case uncommittedFiles = "uncommitted_files"
    case memoryBytes = "memory_bytes"
  }

  /// Every documented key is present, null where it is not known (a kept
  /// row has no age or idle time); `host` only for another machine's row.
  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(name, forKey: .name)
    try c.encode(project, forKey: .project)
    try c.encode(bead, forKey: .bead)
    try c.encode(title, forKey: .title)
    try c.encode(status, forKey: .status)
    try c.encode(statusAge, forKey: .statusAge)
    try c.encode(idleFor, forKey: .idleFor)
    try c.encode(commitsAhead, forKey: .commitsAhead)
    try c.encode(uncommittedFiles, forKey: .uncommittedFiles)
    try c.encode(memoryBytes, forKey: .memoryBytes)
    try c.encode(worktree, forKey: .worktree)
    try c.encode(session, forKey: .session)
    try c.encode(message, forKey: .message)
    try c.encode(sharesFilesWith, forKey: .sharesFilesWith)
    try c.encode(until.map(Self.iso), forKey: .until)
    try c.encode(account, forKey: .account)
    try c.encode(tokens, forKey: .tokens)
    try c.encode(cost, forKey: .cost)
    try c.encodeIfPresent(host, forKey: .host)
  }
}

extension World {
  /// Every worker with its status, reconciled from (best first) hook
  /// signals, the screen and the process table.
  public func status(_ manifest: Manifest, now: Date = Date()) async throws -> [WorkerStatus] {
    try await status(manifest, observed: try await observe(manifest), now: now)
  }

  /// The same from an observation already made (`wt status` also plans
  /// from it to list waiting beads).
  ///
  /// `changes`: what git said of each worker a moment ago, asked again only
  /// for a worker that did something since (a signal, screen activity) or
  /// after `ChangesCache.maxAge`, so a dashboard over idle workers makes no
  /// git calls.
  public func status(_ manifest: Manifest, observed: Observed, now: Date = Date(), changes cache: ChangesCache? = nil)
    async throws -> [WorkerStatus]
  {
    let processes = await CurrentPlatform().processTable(runner: runner)
    let readers = manifest.agents.compactMapValues { try? ScreenReader(profile: $0) }
    var rows: [(WorkerStatus, Set<String>)] = []
    let panes = observed.panes.filter { $0.isWorker && !$0.hub }
    var seen = Set<String>()
    for pane in panes where seen.insert(pane.session).inserted {
      let name = WorkerNaming.name(project: pane.project, bead: pane.bead)
      rows.append(
        try await row(manifest, observed, name: name, pane: pane, processes: processes, readers: readers, now: now, cache: cache))
    }
    let live = Set(panes.map { WorkerNaming.name(project: $0.project, bead: $0.bead) })
    for record in observed.state.workers.values where !live.contains(record.name) && Self.shows(record, manifest, observed) {
      rows.append(
        try await row(
          manifest, observed, name: record.name, pane: nil, processes: processes, readers: readers, now: now, cache: cache))
    }
    return Self.markingOverlaps(rows).sorted { ($0.status, $0.name) < ($1.status, $1.name) }
  }

  /// A record without a session is a row only when there is something to
  /// see: a kept worktree, a worktree whose session died, or a project that
  /// left wt.yaml. A start that failed before a session existed leaves no
  /// row (its failures are counted on the bead, and `wt diff` says why it
  /// waits).
  static func shows(_ record: WorkerRecord, _ manifest: Manifest, _ observed: Observed) -> Bool {
    if record.retained != nil || manifest.project(named: record.project) == nil { return true }
    if record.neverStarted { return false }
    guard let world = observed.projects[record.project], world.error == nil else { return true }
    return world.worktrees.contains { $0.path == record.worktree }
  }

  /// Workers of one project that changed the same file will conflict when
  /// the second merges; say so while both still run.
  static func markingOverlaps(_ rows: [(WorkerStatus, Set<String>)]) -> [WorkerStatus] {
    let active = rows.filter { $0.0.status.isLive && !$0.1.isEmpty }
    return rows.map { row, files in
      var row = row
      guard row.status.isLive else { return row }
      row.sharesFilesWith = active.filter { other, theirs in
        other.name != row.name && other.project == row.project && !theirs.isDisjoint(with: files)
      }.map(\.0.name).sorted()
      return row
    }
  }

  /// What a starting worker's screen says of it; nil when it says nothing
  /// (a dialog wt answers, a screen it does not know).
  static func condition(of screen: ScreenState, agent: String, record: WorkerRecord?, _ manifest: Manifest) -> WorkerCondition? {
    switch screen {
    case .question(let i, let text):
      // A question the profile answers is the agent at work (the
      // long-running looks answer it); any other waits for a person.
      let answered = manifest.agents[agent]?.questions.indices.contains(i) == true
        && manifest.agents[agent]?.questions[i].answered == true
      return answered
        ? WorkerCondition(.working)
        : WorkerCondition(.needsInput, "\(agent) asks: " + String(PromptText.argument(ScreenReader.questionSummary(text)).prefix(200)))
    case .busy: return WorkerCondition(.working)
    case .ready: return WorkerCondition(record?.prompt == .delivered ? .idle : .starting)
    case .dialog, .unknown: return nil
    }
  }

  func row(
    _ manifest: Manifest, _ observed: Observed, name: String, pane: Pane?, processes: ProcessTable?,
    readers: [String: ScreenReader], now: Date, cache: ChangesCache?
  ) async throws -> (WorkerStatus, Set<String>) {
    let record = observed.state.workers[name]
    let projectName = pane?.project ?? record?.project ?? ""
    let beadID = pane?.bead ?? record?.bead ?? ""
    let project = manifest.project(named: projectName)
    let world = observed.projects[projectName]
    let bead = world?.unclosed.first { $0.id == beadID }
    let worktree = pane?.worktree ?? record?.worktree ?? ""
    let branch = record?.branch ?? WorkerNaming.branch(bead: beadID)
    var condition = record?.condition ?? WorkerCondition(.starting)
    var since = record?.statusAt
    if project == nil {
      condition = WorkerCondition(
        .orphaned, "project '\(projectName)' is no longer in \(manifest.file); 'wt forget \(name)' clears this record")
      since = nil
    } else if let pane {
      if pane.dead {
        condition = WorkerCondition.next(after: condition, on: .observedDead("the agent exited; 'wt apply' restarts it"))
      } else if condition.state == .starting,
        let reader = project.flatMap({ readers[record?.agent ?? $0.agent] }), let screen = try? await tmux.capture(pane: pane.paneID)
      {
        // No hook has spoken: read the screen.
        let agent = record?.agent ?? project?.agent ?? "the agent"
        condition = Self.condition(of: reader.state(of: screen), agent: agent, record: record, manifest) ?? condition
      } else if let record, let event = await screenEvent(record, pane: pane, manifest, now: now) {
        // The agent's own question: its screen says whether it still asks.
        condition = WorkerCondition.next(after: condition, on: event)
      }
    } else if let retained = record?.retained {
      condition = WorkerCondition(.kept, retained)
      since = nil
    } else {
      condition = WorkerCondition.next(after: condition, on: .observedDead("the session is gone; 'wt apply' brings it back"))
    }
    if project != nil && bead == nil && world?.error == nil && record?.retained == nil { condition = WorkerCondition(.done, condition.message) }
    var changes: Git.Changes?
    let key = "\(record?.statusAt?.timeIntervalSince1970 ?? 0)|\(pane?.activity ?? 0)|\(worktree)"
    if let cached = cache?.fresh(name, key: key, now: now) {
      changes = cached
    } else if let project, FileManager.default.fileExists(atPath: worktree) {
      changes = try? await git.changes(in: worktree, branch: branch, base: project.base, repo: project.path)
      if let changes { cache?.store(name, key: key, changes: changes, now: now) }
    }
    let memory = pane.flatMap { $0.dead ? nil : processes?.treeMemory(of: $0.pid) }
    var row = WorkerStatus(
      name: name, project: projectName, bead: beadID, title: bead?.title ?? record?.title ?? "", status: condition.state,
      statusAge: since.map { Int(now.timeIntervalSince($0)) },
      idleFor: pane.map { max(0, Int(now.timeIntervalSince1970) - $0.activity) }, commitsAhead: changes?.commitsAhead,
      uncommittedFiles: changes?.uncommitted.count, memoryBytes: memory,
      worktree: worktree, session: pane?.session ?? WorkerNaming.session(project: projectName, bead: beadID),
      message: condition.message)
    row.memoryUnknown = memory == nil && pane.map { !$0.dead } == true
    row.showLimit(of: record)
    (row.tokens, row.cost) = observed.usage(of: name)
    return (row, changes?.files ?? [])
  }
}

/// Git's view of each worker, kept between looks of a long-running
/// dashboard. Only `wt watch` holds one, on one task.
public final class ChangesCache: @unchecked Sendable {
  /// Even a worker that shows no activity is asked again this often.
  public static let maxAge: TimeInterval = 300
  var entries: [String: (key: String, changes: Git.Changes, at: Date)] = [:]

  public init() {}

  func fresh(_ worker: String, key: String, now: Date) -> Git.Changes? {
    guard let e = entries[worker], e.key == key, now.timeIntervalSince(e.at) < Self.maxAge else { return nil }
    return e.changes
  }

  func store(_ worker: String, key: String, changes: Git.Changes, now: Date) {
    entries[worker] = (key, changes, now)
  }
}
