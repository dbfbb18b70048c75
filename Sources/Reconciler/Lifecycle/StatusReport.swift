import Foundation
import Manifest

/// One row of `wt status`: a worker as it is now. Field names are the JSON
/// interface (README, "JSON output").
public struct WorkerStatus: Codable, Equatable, Sendable {
  public var name: String
  public var project: String
  public var bead: String
  public var title: String
  public var status: String
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

  enum CodingKeys: String, CodingKey {
    case name, project, bead, title, status, worktree, session, message
    case sharesFilesWith = "shares_files_with"
    case statusAge = "status_age"
    case idleFor = "idle_for"
    case commitsAhead = "commits_ahead"
    case uncommittedFiles = "uncommitted_files"
    case memoryBytes = "memory_bytes"
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
  public func status(_ manifest: Manifest, observed: Observed, now: Date = Date()) async throws -> [WorkerStatus] {
    let processes = await CurrentHost().processTable(runner: runner)
    let readers = manifest.agents.compactMapValues { try? ScreenReader(profile: $0) }
    var rows: [(WorkerStatus, Set<String>)] = []
    let panes = observed.panes.filter { $0.isWorker && !$0.hub }
    var seen = Set<String>()
    for pane in panes where seen.insert(pane.session).inserted {
      let name = WorkerNaming.name(project: pane.project, bead: pane.bead)
      rows.append(try await row(manifest, observed, name: name, pane: pane, processes: processes, readers: readers, now: now))
    }
    for record in observed.state.workers.values where !seen.contains(WorkerNaming.session(project: record.project, bead: record.bead)) {
      rows.append(try await row(manifest, observed, name: record.name, pane: nil, processes: processes, readers: readers, now: now))
    }
    return Self.markingOverlaps(rows).sorted { (Self.urgency($0.status), $0.name) < (Self.urgency($1.status), $1.name) }
  }

  /// Workers of one project that changed the same file will conflict when
  /// the second merges; say so while both still run.
  static func markingOverlaps(_ rows: [(WorkerStatus, Set<String>)]) -> [WorkerStatus] {
    let live: Set<String> = ["working", "idle", "needs-input", "starting", "limited", "stuck"]
    let active = rows.filter { live.contains($0.0.status) && !$0.1.isEmpty }
    return rows.map { row, files in
      var row = row
      guard live.contains(row.status) else { return row }
      row.sharesFilesWith = active.filter { other, theirs in
        other.name != row.name && other.project == row.project && !theirs.isDisjoint(with: files)
      }.map(\.0.name).sorted()
      return row
    }
  }

  /// What needs a person first.
  static func urgency(_ status: String) -> Int {
    ["needs-input": 0, "stuck": 1, "dead": 2, "limited": 3, "kept": 5][status] ?? 4
  }

  func row(
    _ manifest: Manifest, _ observed: Observed, name: String, pane: Pane?, processes: ProcessTable?,
    readers: [String: ScreenReader], now: Date
  ) async throws -> (WorkerStatus, Set<String>) {
    let record = observed.state.workers[name]
    let projectName = pane?.project ?? record?.project ?? ""
    let beadID = pane?.bead ?? record?.bead ?? ""
    let project = manifest.project(named: projectName)
    let world = observed.projects[projectName]
    let bead = world?.unclosed.first { $0.id == beadID }
    let worktree = pane?.worktree ?? record?.worktree ?? ""
    let branch = record?.branch ?? WorkerNaming.branch(bead: beadID)
    var status = record?.status ?? "starting"
    var message = record?.statusMessage
    var since = record?.statusAt
    if let pane {
      if pane.dead {
        status = "dead"
        message = "the agent exited; 'wt apply' restarts it"
      } else if record?.status == nil || record?.status == "starting",
        let reader = project.flatMap({ readers[$0.agent] }), let screen = try? await tmux.capture(pane: pane.paneID)
      {
        // No hook has spoken: read the screen.
        switch reader.state(of: screen) {
        case .busy: status = "working"
        case .ready: status = record?.prompt == .delivered ? "idle" : "starting"
        case .dialog: status = "starting"
        case .unknown: status = "starting"
        }
      }
    } else if let retained = record?.retained {
      status = "kept"
      message = retained
      since = nil
    } else {
      status = "dead"
      message = "the session is gone; 'wt apply' brings it back"
    }
    if bead == nil && world?.error == nil && record?.retained == nil { status = "done" }
    var changes: Git.Changes?
    if let project, FileManager.default.fileExists(atPath: worktree) {
      changes = try? await git.changes(in: worktree, branch: branch, base: project.base, repo: project.path)
    }
    let memory = pane.flatMap { $0.dead ? nil : processes?.treeMemory(of: $0.pid) }
    var row = WorkerStatus(
      name: name, project: projectName, bead: beadID, title: bead?.title ?? "", status: status,
      statusAge: since.map { Int(now.timeIntervalSince($0)) },
      idleFor: pane.map { max(0, Int(now.timeIntervalSince1970) - $0.activity) }, commitsAhead: changes?.commitsAhead,
      uncommittedFiles: changes?.uncommitted.count,
      memoryBytes: memory,
      worktree: worktree, session: WorkerNaming.session(project: projectName, bead: beadID), message: message)
    row.memoryUnknown = memory == nil && pane.map { !$0.dead } == true
    return (row, changes?.files ?? [])
  }
}
