import Foundation
import Manifest
import Testing
@testable import Reconciler

let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
  .deletingLastPathComponent().deletingLastPathComponent().path
let bdDouble = "\(packageRoot)/Tests/Support/bd"
let fakeAgent = "\(packageRoot)/Tests/Support/fake-agent"

/// A private world for one test: a git repository with a bd database (the
/// double), its own tmux server (`-L wt-test-…`), state and worktree
/// folders. Everything is removed and the tmux server killed at the end.
final class TestWorld: @unchecked Sendable {
  let root: String
  let repo: String
  let socket: String
  let agentLog: String
  let runner = ProcessRunner()

  init(agentEnv: [String: String] = [:]) async throws {
    root = FileManager.default.temporaryDirectory.appendingPathComponent("wt-test-\(UUID().uuidString.prefix(8))").path
    repo = "\(root)/repo"
    socket = "wt-test-\(UUID().uuidString.prefix(12))"
    agentLog = "\(root)/agent.log"
    try FileManager.default.createDirectory(atPath: repo, withIntermediateDirectories: true)
    try await git("init", "-q", "-b", "main")
    try await git("config", "user.name", "Test Person")
    try await git("config", "user.email", "test@example.invalid")
    try "# demo\n".write(toFile: "\(repo)/README.md", atomically: true, encoding: .utf8)
    try ".beads/\n".write(toFile: "\(repo)/.gitignore", atomically: true, encoding: .utf8)
    try await git("add", "-A")
    try await git("commit", "-q", "-m", "init")
    try await bd("init", "-p", "demo", "-q")
    try writeManifest(agentEnv: agentEnv)
  }

  deinit {
    let socket = self.socket
    let root = self.root
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = ["tmux", "-L", socket, "kill-server"]
    p.standardError = FileHandle.nullDevice
    try? p.run()
    p.waitUntilExit()
    try? FileManager.default.removeItem(atPath: root)
  }

  var manifestFile: String { "\(root)/wt.yaml" }
  var stateDir: String { "\(root)/state" }

  func writeManifest(
    workers: Int = 1, agentEnv: [String: String] = [:], resume: String? = nil, extra: String = ""
  ) throws {
    var env = ["FAKE_AGENT_LOG": agentLog, "FAKE_AGENT_DELAY": "0.3", "FAKE_AGENT_WORK": "0.5"]
    env.merge(agentEnv) { _, b in b }
    let envYAML = env.sorted { $0.key < $1.key }.map { "      \($0.key): \"\($0.value)\"" }.joined(separator: "\n")
    try """
      version: 1
      settings:
        worktree_root: \(root)/worktrees
        tmux_socket: \(socket)
        bd: \(bdDouble)
        admission: {max_load_per_core: 1000, min_free_memory: 1MiB}
      agents:
        fake:
          command: [\(fakeAgent)]
          resume: [\(resume ?? fakeAgent), --session-id, "{{worker.session_id}}"]
          session_id: true
          ready: '^❯\\u00A0'
          busy: 'esc to interrupt'
          dialogs:
            - {match: 'Is this a project you created or one you trust', keys: [Down, Enter]}
          env:
      \(envYAML)
      projects:
        demo:
          path: repo
          agent: fake
          workers: \(workers)
          prompt: "Work on {{bead.id}}: {{bead.title}}"
      \(extra)
      """.write(toFile: manifestFile, atomically: true, encoding: .utf8)
  }

  /// Variables of the person's environment a test adds (an account's key).
  var extraEnvironment: [String: String] = [:]

  var environment: [String: String] {
    ["HOME": root, "WT_STATE_DIR": stateDir, "WT_TMUX_SOCKET": socket, "WT_BD": bdDouble].merging(extraEnvironment) { _, b in b }
  }

  func manifest() throws -> Manifest {
    let result = ManifestLoader(environment: environment, currentDirectory: root).load(file: manifestFile)
    guard let m = result.manifest else { throw TestFailure("manifest: \(result.diagnostics)") }
    return m
  }

  var world: World { get throws { World(manifest: try manifest(), environment: environment, runner: runner) } }

  func observe() async throws -> Observed { try await world.observe(try manifest()) }

  func plan(_ options: PlanOptions = PlanOptions()) async throws -> Plan {
    Reconciler.plan(try manifest(), try await observe(), options: options)
  }

  @discardableResult
  func apply(_ options: PlanOptions = PlanOptions()) async throws -> [StepReport] {
    let manifest = try manifest()
    let world = try self.world
    let observed = try await world.observe(manifest)
    let plan = Reconciler.plan(manifest, observed, options: options)
    var applier = Applier(manifest: manifest, world: world)
    applier.deliveryDeadline = .seconds(30)
    applier.stagger = .milliseconds(50)
    return await applier.apply(plan)
  }

  @discardableResult
  func git(_ args: String..., in dir: String? = nil) async throws -> String {
    try await runner.run(["git", "-C", dir ?? repo] + args)
  }

  @discardableResult
  func bd(_ args: String..., in dir: String? = nil) async throws -> String {
    try await runner.run([bdDouble] + args, in: dir ?? repo)
  }

  func createBead(_ title: String, priority: Int = 2, labels: [String] = []) async throws -> String {
    var args = [bdDouble, "create", title, "-p", "\(priority)", "--silent"]
    if !labels.isEmpty { args += ["-l", labels.joined(separator: ",")] }
    // created_at has whole seconds; distinct ages keep the order stable.
    let id = try await runner.run(args, in: repo).trimmingCharacters(in: .whitespacesAndNewlines)
    return id
  }

  func bead(_ id: String) async throws -> Bead? {
    try await BeadsCLI(bd: bdDouble, runner: runner).show(id, in: repo)
  }

  /// Polls until `condition` holds or `seconds` pass; whether it held.
  func eventually(seconds: Double = 20, _ condition: () async throws -> Bool) async throws -> Bool {
    let end = ContinuousClock.now + .seconds(seconds)
    while ContinuousClock.now < end {
      if try await condition() { return true }
      try await Task.sleep(for: .milliseconds(50))
    }
    return try await condition()
  }

  func panes() async throws -> [Pane] { try await Tmux(socket: .named(socket), runner: runner).panes() }

  func tmux(_ args: String...) async throws -> String { try await runner.run(["tmux", "-L", socket] + args) }

  /// Prompts the fake agents received, in order.
  func prompts() -> [[String: Any]] {
    guard let text = try? String(contentsOfFile: agentLog, encoding: .utf8) else { return [] }
    return text.split(separator: "\n").compactMap {
      try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
    }
  }

  func worktree(_ bead: String) -> String { "\(root)/worktrees/demo/\(bead)" }

  func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }
}

struct TestFailure: Error, CustomStringConvertible {
  var description: String
  init(_ d: String) { description = d }
}
