import Foundation
import Testing

/// A throwaway repository with beads (the bd double), its own tmux server,
/// state and worktree folders, driven through the built `wt` binary.
final class Playground: @unchecked Sendable {
  static let root = CLITests.root
  let dir: String
  let repo: String
  let socket: String
  var env: [String: String]

  init(
    workers: Int = 1, onDone: String = "merge", gate: String = "[]", agents: String? = nil, agent: String = "fake",
    agentDelay: String = "0.2", agentCommand: String? = nil
  ) throws {
    dir = FileManager.default.temporaryDirectory.appendingPathComponent("wt-play-\(UUID().uuidString.prefix(8))").path
    repo = "\(dir)/repo"
    socket = "wt-test-\(UUID().uuidString.prefix(12))"
    env = [
      "HOME": dir, "WT_STATE_DIR": "\(dir)/state", "WT_TMUX_SOCKET": socket, "WT_BD": "\(Self.root)/Tests/Support/bd",
      "WT_CONFIG": "\(dir)/wt.yaml", "GIT_AUTHOR_NAME": "T", "GIT_AUTHOR_EMAIL": "t@t.invalid",
      "GIT_COMMITTER_NAME": "T", "GIT_COMMITTER_EMAIL": "t@t.invalid",
    ]
    try FileManager.default.createDirectory(atPath: repo, withIntermediateDirectories: true)
    try sh(["git", "init", "-q", "-b", "main"])
    try "hello\n".write(toFile: "\(repo)/README.md", atomically: true, encoding: .utf8)
    try ".beads/\n".write(toFile: "\(repo)/.gitignore", atomically: true, encoding: .utf8)
    try sh(["git", "add", "-A"])
    try sh(["git", "commit", "-qm", "init"])
    try sh(["git", "config", "user.name", "T"])
    try sh(["git", "config", "user.email", "t@t.invalid"])
    try sh([env["WT_BD"]!, "init", "-p", "demo", "-q"])
    let fakeAgents = """
        fake:
          command: [\(agentCommand ?? "\(Self.root)/Tests/Support/fake-agent")]
          resume: [\(Self.root)/Tests/Support/fake-agent]
          session_id: true
          ready: '^❯\\u00A0'
          busy: 'esc to interrupt'
          env: {FAKE_AGENT_DELAY: "\(agentDelay)", FAKE_AGENT_WORK: "0.3", FAKE_AGENT_LOG: "\(dir)/agent.log", FAKE_AGENT_RAW_LOG: "\(dir)/agent.raw", FAKE_AGENT_ARGV_LOG: "\(dir)/agent.argv"}
      """
    try """
      version: 1
      settings:
        worktree_root: \(dir)/worktrees
        admission: {max_load_per_core: 1000, min_free_memory: 1MiB}
      agents:
      \(agents ?? fakeAgents)
      projects:
        demo:
          path: repo
          agent: \(agent)
          workers: \(workers)
          on_done: \(onDone)
          gate: \(gate)
          prompt: |
            Work on {{bead.id}}: {{bead.title}}
            {{bead.description}}
      """.write(toFile: "\(dir)/wt.yaml", atomically: true, encoding: .utf8)
  }

  deinit {
    _ = try? sh(["tmux", "-L", socket, "kill-server"], check: false)
    try? FileManager.default.removeItem(atPath: dir)
  }

  struct Result {
    var status: Int32
    var stdout: String
    var stderr: String
  }

  @discardableResult
  func sh(_ argv: [String], in directory: String? = nil, check: Bool = true, stdin: String? = nil) throws -> Result {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = argv
    p.currentDirectoryURL = URL(fileURLWithPath: directory ?? repo)
    p.environment = ProcessInfo.processInfo.environment.merging(env) { _, b in b }.merging(["NO_COLOR": "1"]) { _, b in b }
    let out = Pipe(), err = Pipe(), input = Pipe()
    p.standardOutput = out
    p.standardError = err
    p.standardInput = stdin == nil ? FileHandle.nullDevice : input
    try p.run()
    if let stdin {
      input.fileHandleForWriting.write(Data(stdin.utf8))
      try input.fileHandleForWriting.close()
    }
    let o = out.fileHandleForReading.readDataToEndOfFile()
    let e = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    let r = Result(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    if check && r.status != 0 { throw TestError("\(argv.joined(separator: " ")) failed (\(r.status)): \(r.stderr)") }
    return r
  }

  @discardableResult
  func wt(_ args: String..., in directory: String? = nil, stdin: String? = nil) throws -> Result {
    try sh([CLITests.binary] + args, in: directory, check: false, stdin: stdin)
  }

  /// `wt ARGS` running in the background (for `auto`, or an apply to
  /// interrupt); the caller stops it.
  func background(_ args: String...) throws -> Process {
    let proc = Process()
    proc.executableURL = URL(fileURLWithPath: CLITests.binary)
    proc.arguments = args
    proc.currentDirectoryURL = URL(fileURLWithPath: repo)
    proc.environment = ProcessInfo.processInfo.environment.merging(env) { _, b in b }
    // Kept in the playground, for a test that fails to show.
    FileManager.default.createFile(atPath: "\(dir)/background.log", contents: nil)
    let log = FileHandle(forWritingAtPath: "\(dir)/background.log")
    log?.seekToEndOfFile()
    proc.standardOutput = log ?? FileHandle.nullDevice
    proc.standardError = log ?? FileHandle.nullDevice
    try proc.run()
    return proc
  }

  /// A real tmux client attached to `session` on the playground's server,
  /// under Python's `pty` for a terminal; the caller terminates it.
  func attachClient(to session: String) throws -> Process {
    let client = Process()
    client.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    client.arguments = ["python3", "-c", "import pty, sys; pty.spawn(sys.argv[1:])", "tmux", "-L", socket, "attach-session", "-t", "=\(session)"]
    client.environment = ProcessInfo.processInfo.environment.merging(["TERM": "xterm-256color"]) { _, b in b }
    client.standardInput = Pipe()
    client.standardOutput = FileHandle.nullDevice
    try client.run()
    return client
  }

  var backgroundLog: String { (try? String(contentsOfFile: "\(dir)/background.log", encoding: .utf8)) ?? "" }

  func bead(_ title: String, description: String = "", priority: Int = 2) throws -> String {
    try sh([env["WT_BD"]!, "create", title, "-d", description, "-p", "\(priority)", "--silent"]).stdout
      .trimmingCharacters(in: .whitespacesAndNewlines)
  }

  /// A bead whose description comes from a file, as `bd create
  /// --body-file` reads it, so it may hold any byte (an argument cannot
  /// hold NUL).
  func bead(_ title: String, descriptionFile text: String) throws -> String {
    let file = "\(dir)/body-\(UUID().uuidString)"
    try Data(text.utf8).write(to: URL(fileURLWithPath: file))
    return try sh([env["WT_BD"]!, "create", title, "--body-file", file, "--silent"]).stdout
      .trimmingCharacters(in: .whitespacesAndNewlines)
  }

  /// A bead with an id of the test's choosing, as if synced from elsewhere.
  @discardableResult
  func bead(id: String, _ title: String, description: String = "", priority: Int = 2, in repo: String? = nil) throws -> String {
    try sh([env["WT_BD"]!, "create", title, "--id", id, "-d", description, "-p", "\(priority)", "--silent"], in: repo)
    return id
  }

  /// Every prompt the fake agents submitted, in order.
  func submissions() -> [[String: Any]] {
    let text = (try? String(contentsOfFile: "\(dir)/agent.log", encoding: .utf8)) ?? ""
    return text.split(separator: "\n").compactMap { json(String($0)) as? [String: Any] }
  }

  func show(_ id: String) throws -> [String: Any] {
    let out = try sh([env["WT_BD"]!, "show", "--json", "--", id]).stdout
    return ((try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [[String: Any]])?.first) ?? [:]
  }

  func json(_ text: String) -> Any? { try? JSONSerialization.jsonObject(with: Data(text.utf8)) }

  /// The rows of a list wt prints with `--json`: the object's one list,
  /// beside its `format_version` (none when either is missing).
  func rows(_ text: String) -> [[String: Any]] {
    guard let root = json(text) as? [String: Any], root["format_version"] as? String == "1.0" else { return [] }
    return root.first { $0.key != "format_version" }?.value as? [[String: Any]] ?? []
  }

  /// `wt ARGS` (a `--json` list command), its rows.
  func rows(_ args: String..., in directory: String? = nil) throws -> [[String: Any]] {
    rows(try sh([CLITests.binary] + args, in: directory, check: false).stdout)
  }

  func worktree(_ id: String) -> String { "\(dir)/worktrees/demo/\(id)" }

  func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }

  func git(_ args: String..., in directory: String? = nil) throws -> String {
    try sh(["git"] + args, in: directory).stdout
  }

  /// Polls until `condition` holds or `seconds` pass.
  func wait(seconds: Double = 30, _ condition: () throws -> Bool) throws -> Bool {
    let end = Date().addingTimeInterval(seconds)
    while Date() < end {
      if try condition() { return true }
      Thread.sleep(forTimeInterval: 0.2)
    }
    return try condition()
  }

  /// Every file under the repository and the worktrees (but .git and
  /// .beads), and every commit on any branch: what "nothing lost" counts.
  func inventory() throws -> (files: Set<String>, commits: Set<String>) {
    var files = Set<String>()
    for (root, skip) in [(repo, 0), ("\(dir)/worktrees", 2)] {
      guard let walker = FileManager.default.enumerator(atPath: root) else { continue }
      while let path = walker.nextObject() as? String {
        if path.hasPrefix(".git") || path.contains("/.git") || path.hasPrefix(".beads") || path.contains(".claude") { continue }
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: "\(root)/\(path)", isDirectory: &isDir), !isDir.boolValue {
          // Keyed by the path inside its checkout, so a worktree that was
          // recreated or merged still counts its files.
          files.insert(path.split(separator: "/").dropFirst(skip).joined(separator: "/"))
        }
      }
    }
    let commits = Set(try git("rev-list", "--all").split(separator: "\n").map(String.init))
    return (files, commits)
  }

  /// Beads wt holds that have no session: there must be none.
  func claimedWithoutWorker() throws -> [String] {
    let beads = try sh([env["WT_BD"]!, "list", "--status", "in_progress", "--json", "-n", "0"]).stdout
    let held = (json(beads) as? [[String: Any]] ?? []).filter { $0["assignee"] as? String == "wt" }.compactMap { $0["id"] as? String }
    let marked = try sh(["tmux", "-L", socket, "list-sessions", "-F", "#{@wt-project}/#{@wt-bead}"], check: false).stdout
    let live = Set(marked.split(separator: "\n").map(String.init))
    return held.filter { !live.contains("demo/\($0)") }
  }

  /// `RUN:` lines the fake agent executes, as JSON argument arrays.
  static func run(_ argv: String...) -> String {
    "RUN: " + String(decoding: try! JSONSerialization.data(withJSONObject: argv), as: UTF8.self)
  }
}

/// A model-API stand-in from Tests/Support (`fake-anthropic`,
/// `fake-openai`) on 127.0.0.1: started, and its port read once it is
/// listening.
enum StandIn {
  static func start(_ script: String, portFile: String, log: String, environment: [String: String] = [:]) throws
    -> (process: Process, port: String)
  {
    let api = Process()
    api.executableURL = URL(fileURLWithPath: "\(CLITests.root)/Tests/Support/\(script)")
    api.arguments = [portFile, log]
    api.environment = ProcessInfo.processInfo.environment.merging(environment) { _, b in b }
    api.standardOutput = FileHandle.nullDevice
    api.standardError = FileHandle.nullDevice
    try api.run()
    var port = ""
    for _ in 0..<100 where port.isEmpty {
      port = (try? String(contentsOfFile: portFile, encoding: .utf8)) ?? ""
      if port.isEmpty { Thread.sleep(forTimeInterval: 0.1) }
    }
    return (api, port)
  }
}

struct TestError: Error, CustomStringConvertible {
  var description: String
  init(_ d: String) { description = d }
}
