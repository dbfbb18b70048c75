import Foundation
import Manifest

/// Reads the tokens workers used from their agents' own records into the
/// ledger, reading only what was appended since the last look: the loop,
/// `wt status` and the hub call it often, and a transcript grows to
/// megabytes.
public struct UsageMeter: Sendable {
  public var store: StateStore
  /// The environment wt runs in: a worker inherits it (its HOME, its
  /// CLAUDE_CONFIG_DIR) unless its profile sets them.
  public var environment: [String: String]
  /// Bytes read in the last `refresh`, for tests and benchmarks.
  public private(set) var bytesRead = 0

  public init(store: StateStore, environment: [String: String]) {
    self.store = store
    self.environment = environment
  }

  /// Reads what is new for every worker the state records (or only
  /// `worker`), then returns the ledger with every worker it ever held.
  @discardableResult
  public mutating func refresh(_ manifest: Manifest, state: State, only worker: String? = nil) throws -> UsageLedger {
    var read = 0
    let ledger = try store.updateUsage { ledger -> UsageLedger in
      for record in state.workers.values where worker == nil || record.name == worker {
        guard !record.neverStarted else { continue }
        let agent = record.agent ?? manifest.projects.first { $0.name == record.project }?.agent
        let profile = agent.flatMap { manifest.agents[$0] }
        var entry = ledger.workers[record.name]
          ?? .init(bead: record.bead, project: record.project, source: (profile?.usage ?? .none).rawValue)
        entry.finished = nil
        entry.bead = record.bead
        entry.project = record.project
        entry.account = record.account ?? entry.account
        entry.agent = agent ?? entry.agent
        if let profile {
          entry.source = profile.usage.rawValue
          let account = record.account.flatMap { manifest.account(named: $0) }
          for path in files(of: record, profile: profile, account: account) where entry.cursors[path] == nil {
            entry.cursors[path] = .init(offset: 0, inode: 0)
          }
        }
        ledger.workers[record.name] = entry
      }
      // Every known file, also of workers torn down since (a transcript
      // outlives its worktree): a stat each, and the new bytes.
      for (name, var entry) in ledger.workers where (worker == nil || name == worker) && entry.finished != true {
        let source = UsageSource(rawValue: entry.source) ?? .none
        for (path, cursor) in entry.cursors {
          let (next, turns, bytes) = Self.read(path, from: cursor, source: source)
          read += bytes
          guard next != cursor else { continue }
          entry.cursors[path] = next
          for turn in turns { entry.days[turn.day, default: .zero] += turn.tokens }
        }
        if worker == nil && state.workers[name] == nil { entry.finished = true }
        ledger.workers[name] = entry
      }
      return ledger
    }
    bytesRead = read
    return ledger
  }

  /// The files where the worker's agent records its usage: its
  /// environment is wt's, then its profile's, then its account's (an
  /// account may give Claude Code a `CLAUDE_CONFIG_DIR` of its own), as
  /// the worker was started with (`Applier.environment`).
  func files(of record: WorkerRecord, profile: AgentProfile, account: Account? = nil) -> [String] {
    switch profile.usage {
    case .claudeTranscript:
      let env = environment.merging(profile.env) { _, p in p }
        .merging(account?.resolved(in: environment) ?? [:]) { _, a in a }
      guard let folder = ClaudeFiles(environment: env)
        .projectFolder(worktree: record.worktree, session: record.sessionId)
      else { return [] }
      let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
      return names.filter { $0.hasSuffix(".jsonl") }.sorted().map { "\(folder)/\($0)" }
    case .aiderChatHistory:
      let path = "\(record.worktree)/.aider.chat.history.md"
      return FileManager.default.fileExists(atPath: path) ? [path] : []
    case .none:
      return []
    }
  }

  /// Reads `path` from `cursor` to its last whole line: the next cursor,
  /// the turns found and the bytes read. A file that is gone reads nothing
  /// and keeps its cursor; one replaced (another inode) or cut shorter is
  /// read from the start.
  static func read(_ path: String, from cursor: UsageLedger.Cursor, source: UsageSource)
    -> (UsageLedger.Cursor, [ClaudeTranscriptUsage.Turn], Int)
  {
    let fd = open(path, O_RDONLY)
    guard fd >= 0 else { return (cursor, [], 0) }
    defer { close(fd) }
    var info = stat()
    guard fstat(fd, &info) == 0 else { return (cursor, [], 0) }
    var start = cursor
    let inode = UInt64(info.st_ino)
    if start.inode != inode || UInt64(info.st_size) < start.offset {
      start = .init(offset: 0, inode: inode)
    }
    let size = UInt64(info.st_size)
    var next = start
    var turns: [ClaudeTranscriptUsage.Turn] = []
    var total = 0
    // In chunks, so a first look at a long transcript never holds it all.
    while size > next.offset {
      let want = Int(min(size - next.offset, UInt64(chunk)))
      var data = Data(count: want)
      let got = data.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, off_t(next.offset)) }
      guard got > 0 else { break }
      total += got
      data = data.prefix(got)
      guard let lastNewline = data.lastIndex(of: UInt8(ascii: "\n")) else {
        // A line still being written is left for the next read; a single
        // line longer than a chunk (a huge tool result) holds no usage.
        if got == chunk { next.offset += UInt64(got) ; continue }
        break
      }
      let whole = Data(data.prefix(through: lastNewline))
      next.offset += UInt64(whole.count)
      switch source {
      case .claudeTranscript:
        var reader = ClaudeTranscriptUsage(recent: next.recent ?? [])
        turns += reader.turns(in: whole)
        next.recent = reader.recent
      case .aiderChatHistory:
        var reader = AiderHistoryUsage(day: next.day ?? UsageDay.unknown)
        turns += reader.turns(in: whole)
        next.day = reader.day
      case .none: break
      }
    }
    return (next, turns, total)
  }

  /// The most read into memory at once.
  static let chunk = 8 << 20
}

/// Where Claude Code keeps its files for a worker: `$CLAUDE_CONFIG_DIR`,
/// else `$HOME/.claude`, with one folder per working directory under
/// `projects/`, named for the path with every character but letters and
/// digits turned into `-` (seen on 2.1.337: `/tmp/a.b_c d` is
/// `-tmp-a-b-c-d`).
public struct ClaudeFiles: Sendable {
  public var configDirectory: String?

  public init(environment: [String: String]) {
    if let dir = environment["CLAUDE_CONFIG_DIR"], !dir.isEmpty {
      configDirectory = dir
    } else {
      configDirectory = environment["HOME"].map { "\($0)/.claude" }
    }
  }

  /// The transcripts' folder of `worktree`; when it is not where the name
  /// says, the folder that holds `session`.
  public func projectFolder(worktree: String, session: String?) -> String? {
    guard let configDirectory else { return nil }
    let projects = "\(configDirectory)/projects"
    let name = String(worktree.map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "-" })
    var isFolder: ObjCBool = false
    for candidate in [name, worktree.replacingOccurrences(of: "/", with: "-")] {
      let path = "\(projects)/\(candidate)"
      if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue { return path }
    }
    guard let session else { return nil }
    let folders = (try? FileManager.default.contentsOfDirectory(atPath: projects)) ?? []
    return folders.first { FileManager.default.fileExists(atPath: "\(projects)/\($0)/\(session).jsonl") }
      .map { "\(projects)/\($0)" }
  }
}
