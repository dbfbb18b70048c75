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
    let observed = try await observe(manifest)
    var rows: [WorkerStatus] = []
    let panes = observed.panes.filter { $0.isWorker && !$0.hub }
    var seen = Set<String>()
    for pane in panes where seen.insert(pane.session).inserted {
      let name = WorkerNaming.name(project: pane.project, bead: pane.bead)
      rows.append(try await row(manifest, observed, name: name, pane: pane, now: now))
    }
    for record in observed.state.workers.values where !seen.contains(WorkerNaming.session(project: record.project, bead: record.bead)) {
      rows.append(try await row(manifest, observed, name: record.name, pane: nil, now: now))
    }
    rows = try await markOverlaps(rows, manifest: manifest, observed: observed)
    return rows.sorted { (Self.urgency($0.status), $0.name) < (Self.urgency($1.status), $1.name) }
  }

  /// Workers of one project that changed the same file will conflict when
  /// the second merges; say so while both still run.
  func markOverlaps(_ rows: [WorkerStatus], manifest: Manifest, observed: Observed) async throws -> [WorkerStatus] {
    var files: [String: Set<String>] = [:]
    for row in rows where ["working", "idle", "needs-input", "starting", "limited", "stuck"].contains(row.status) {
      guard let project = manifest.project(named: row.project), FileManager.default.fileExists(atPath: row.worktree)
      else { continue }
      let branch = observed.state.workers[row.name]?.branch ?? WorkerNaming.branch(bead: row.bead)
      files[row.name] = try? await git.changedFiles(in: row.worktree, branch: branch, base: project.base, repo: project.path)
    }
    return rows.map { row in
      var row = row
      guard let mine = files[row.name], !mine.isEmpty else { return row }
      row.sharesFilesWith = files.filter { name, theirs in
        name != row.name && rows.first { $0.name == name }?.project == row.project && !theirs.isDisjoint(with: mine)
      }.keys.sorted()
      return row
    }
  }

  /// What needs a person first.
  static func urgency(_ status: String) -> Int {
    ["needs-input": 0, "stuck": 1, "dead": 2, "limited": 3, "kept": 5][status] ?? 4
  }

  func row(_ manifest: Manifest, _ observed: Observed, name: String, pane: Pane?, now: Date) async throws
    -> WorkerStatus
  {
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
      } else if record?.status == nil || record?.status == "starting", let agent = project.flatMap({ manifest.agents[$0.agent] }),
        let screen = try? await tmux.capture(pane: pane.paneID), let reader = try? ScreenReader(profile: agent)
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
    var ahead: Int?
    var dirty: Int?
    if let project, FileManager.default.fileExists(atPath: worktree) {
      ahead = Int(
        (try? await runner.run(["git", "-C", project.path, "rev-list", "--count", "\(project.base)..\(branch)"]))?
          .trimmingCharacters(in: .whitespacesAndNewlines) ?? "")
      dirty = try? await git.uncommittedFiles(in: worktree)
    }
    return WorkerStatus(
      name: name, project: projectName, bead: beadID, title: bead?.title ?? "", status: status,
      // sharesFilesWith is filled in once every row is known.
      statusAge: since.map { Int(now.timeIntervalSince($0)) },
      idleFor: pane.map { max(0, Int(now.timeIntervalSince1970) - $0.activity) }, commitsAhead: ahead,
      uncommittedFiles: dirty, memoryBytes: pane.flatMap { $0.dead ? nil : Self.treeMemory(pid: $0.pid) },
      worktree: worktree, session: WorkerNaming.session(project: projectName, bead: beadID), message: message)
  }

  /// Resident memory of a process and its descendants, from /proc.
  static func treeMemory(pid: Int32) -> UInt64? {
    guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return nil }
    var children: [Int32: [Int32]] = [:]
    var rss: [Int32: UInt64] = [:]
    let page = UInt64(sysconf(Int32(_SC_PAGESIZE)))
    for entry in entries {
      guard let p = Int32(entry), let stat = try? String(contentsOfFile: "/proc/\(p)/stat", encoding: .utf8),
        let close = stat.lastIndex(of: ")")
      else { continue }
      let fields = stat[stat.index(after: close)...].split(separator: " ")
      // After the command: state, ppid, ... rss is field 24 overall.
      guard fields.count > 22, let ppid = Int32(fields[1]), let pages = UInt64(fields[21]) else { continue }
      children[ppid, default: []].append(p)
      rss[p] = pages * page
    }
    guard rss[pid] != nil else { return nil }
    var total: UInt64 = 0
    var stack = [pid]
    while let p = stack.popLast() {
      total += rss[p] ?? 0
      stack += children[p] ?? []
    }
    return total
  }
}
