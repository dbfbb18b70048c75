import Foundation
import Testing
import TestSupport

/// A wt host that is a pod on the real podman: the objects `wt host
/// manifest NAME --kubernetes` prints, translated into a Pod and its
/// volume by `Tests/Support/pod-from-statefulset` (what a StatefulSet
/// controller would make; the script says what it translates), played with
/// `podman kube play`, and reached with `exec: [podman, exec, -i, POD-wt]`.
///
/// The image is built once per test run from this machine's files
/// (`Tests/Support/pod-image`; no registry is reachable here). podman runs
/// with a containers.conf of the test's own (the runc runtime, no default
/// ulimits: what this kind of VM needs, see docs/kubernetes.md) through
/// CONTAINERS_CONF, never the machine's. Each test's host has a name of its
/// own, so its pod, container and volume do too; teardown removes exactly
/// those.
final class PodHost: @unchecked Sendable {
  let local: Playground
  /// The host's name in wt.yaml, unique to the test.
  let name: String
  let image: String
  /// The StatefulSet's pod and podman's name for its container.
  var pod: String { "wt-\(name)-0" }
  var container: String { "\(pod)-wt" }
  var volume: String { "data-\(pod)" }
  let conf: String
  /// The project's repository in the pod, on its volume.
  let repo = "/wt/repos/api"
  let agentLog = "/wt/agent.log"
  var hostTimeout = 20.0
  /// hosts.NAME.wt; a test may put a slower one in its place.
  var hostWT = "wt"
  /// The printed objects, and what was played.
  private(set) var printed = ""
  private(set) var played = ""

  static let support = "\(CLITests.root)/Tests/Support"
  static let python = "\(CLITests.root)/.venv/bin/python3"

  init(local: Playground? = nil) throws {
    self.local = try local ?? Playground()
    name = "p" + UUID().uuidString.prefix(8).lowercased()
    conf = "\(self.local.dir)/containers.conf"
    try "[containers]\ndefault_ulimits = []\n[engine]\nruntime = \"runc\"\n".write(toFile: conf, atomically: true, encoding: .utf8)
    self.local.env["CONTAINERS_CONF"] = conf
    image = try Self.buildImage(conf: conf)
  }

  deinit {
    _ = try? podman(["pod", "rm", "-f", "-t", "0", pod], check: false)
    _ = try? podman(["volume", "rm", "-f", volume], check: false)
  }

  /// The host's entry in wt.yaml.
  func hostEntry(timeout: Double? = nil) -> String {
    """
      \(name):
        exec: [podman, exec, -i, \(container)]
        image: \(image)
        timeout: \(timeout ?? hostTimeout)
        wt: \(hostWT)
        worktree_root: /wt/worktrees
        admission: {max_load_per_core: 1000, min_free_memory: 1MiB}
        labels: [pod]
    """
  }

  /// The agent the pod's project uses: the scripted one, logging where a
  /// test reads it back.
  static func agentEntry(log: String) -> String {
    """
      remote:
        command: [\(support)/fake-agent]
        ready: '^❯\\u00A0'
        busy: 'esc to interrupt'
        env: {FAKE_AGENT_DELAY: "0.2", FAKE_AGENT_WORK: "0.3", FAKE_AGENT_LOG: "\(log)"}
    """
  }

  /// A manifest with the local project and the pod's.
  func writeManifest(extraHosts: String = "", extraAgents: String = "", extraProjects: String = "") throws {
    try """
      version: 1
      settings:
        worktree_root: \(local.dir)/worktrees
        admission: {max_load_per_core: 1000, min_free_memory: 1MiB}
      hosts:
      \(hostEntry())
      \(extraHosts)
      agents:
        fake:
          command: [\(Self.support)/fake-agent]
          ready: '^❯\\u00A0'
          busy: 'esc to interrupt'
          env: {FAKE_AGENT_DELAY: "0.2", FAKE_AGENT_WORK: "0.3", FAKE_AGENT_LOG: "\(local.dir)/agent.log"}
      \(Self.agentEntry(log: agentLog))
      \(extraAgents)
      projects:
        demo:
          path: repo
          agent: fake
        api:
          host: \(name)
          path: \(repo)
          agent: remote
      \(extraProjects)
      """.write(toFile: "\(local.dir)/wt.yaml", atomically: true, encoding: .utf8)
  }

  /// Prints the host's objects with wt, translates and plays them, and
  /// makes the project's repository and beads in the pod.
  func start(secrets: [String: String] = ["ANTHROPIC_API_KEY": "sk-test-pod"]) throws {
    let out = try local.wt("host", "manifest", name, "--kubernetes")
    guard out.status == 0 else { throw TestError("wt host manifest failed: \(out.stderr)") }
    printed = out.stdout
    let translate = try runChild(
      Self.python, ["\(Self.support)/pod-from-statefulset", "0"] + secrets.map { "\($0.key)=\($0.value)" }, stdin: Data(printed.utf8))
    guard translate.status == 0 else { throw TestError("translation failed: \(translate.stderrText)") }
    played = translate.stdoutText
    let file = "\(local.dir)/play.yaml"
    try played.write(toFile: file, atomically: true, encoding: .utf8)
    try detached(["kube", "play", "--network", "none", file])
    try inPod(["git", "config", "--global", "user.name", "Pod"])
    try inPod(["git", "config", "--global", "user.email", "pod@example.invalid"])
    try inPod(["mkdir", "-p", repo])
    for argv in [["git", "init", "-q", "-b", "main"], ["git", "commit", "-q", "--allow-empty", "-m", "init"], ["bd", "init", "-p", "api", "-q"]] {
      try inPod(argv, in: repo)
    }
    try inPod(["sh", "-c", "printf '.beads/\\n' > .gitignore && git add .gitignore && git commit -qm 'ignore beads'"], in: repo)
  }

  @discardableResult
  func podman(_ argv: [String], check: Bool = true, stdin: Data? = nil) throws -> Playground.Result {
    let environment = ProcessInfo.processInfo.environment.merging(["CONTAINERS_CONF": conf]) { _, b in b }
    let c = try runChild("/usr/bin/env", ["podman"] + argv, environment: environment, stdin: stdin)
    let r = Playground.Result(status: c.status, stdout: c.stdoutText, stderr: c.stderrText)
    if check && r.status != 0 { throw TestError("podman \(argv.joined(separator: " ")) failed (\(r.status)): \(r.stderr)") }
    return r
  }

  /// `podman ARGV` that leaves conmon running (kube play, start), as a
  /// `Child`: conmon keeps the descriptors it inherits, so a pipe would
  /// never reach its end (see `runChild`); its output goes to a file.
  func detached(_ argv: [String], seconds: Double = 120) throws {
    let log = "\(local.dir)/podman-\(UUID().uuidString.prefix(6)).log"
    let environment = ProcessInfo.processInfo.environment.merging(["CONTAINERS_CONF": conf]) { _, b in b }
    let child = try Child(["podman"] + argv, stdout: log, stderr: log, environment: environment)
    let end = Date().addingTimeInterval(seconds)
    var status = child.exitStatus()
    while status == nil && Date() < end {
      Thread.sleep(forTimeInterval: 0.1)
      status = child.exitStatus()
    }
    if status == nil { child.kill() }
    if status != 0 {
      throw TestError("podman \(argv.joined(separator: " ")) failed (\(status.map(String.init) ?? "timed out")): \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
    }
  }

  /// Runs `argv` in the pod (in `directory`), as a person would with
  /// `podman exec`: to set it up and to look, never as wt's transport.
  @discardableResult
  func inPod(_ argv: [String], in directory: String? = nil, check: Bool = true) throws -> Playground.Result {
    try podman(["exec", "-i"] + (directory.map { ["-w", $0] } ?? []) + [container] + argv, check: check)
  }

  func bead(_ title: String, description: String = "", priority: Int = 2) throws -> String {
    try inPod(["bd", "create", title, "-d", description, "-p", "\(priority)", "--silent"], in: repo).stdout
      .trimmingCharacters(in: .whitespacesAndNewlines)
  }

  func show(_ id: String) throws -> [String: Any] {
    let out = try inPod(["bd", "show", "--json", "--", id], in: repo).stdout
    return ((try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [[String: Any]])?.first) ?? [:]
  }

  /// Writes an executable file in the pod.
  func script(_ path: String, _ text: String) throws {
    try podman(["exec", "-i", container, "sh", "-c", #"cat > "$1" && chmod 755 "$1""#, "sh", path], stdin: Data(text.utf8))
  }

  func exists(_ path: String) throws -> Bool { try inPod(["test", "-e", path], check: false).status == 0 }

  func sessions() throws -> [String] {
    try inPod(["tmux", "list-sessions", "-F", "#{session_name}"], check: false).stdout.split(separator: "\n").map(String.init).sorted()
  }

  func submissions() -> [[String: Any]] {
    let text = (try? inPod(["cat", agentLog], check: false).stdout) ?? ""
    return text.split(separator: "\n").compactMap { local.json(String($0)) as? [String: Any] }
  }

  /// Starts the container again once podman has finished with its end
  /// (conmon runs `podman container cleanup` after it exits; a start
  /// racing that cleanup was seen to leave it stopped), and waits until
  /// an exec works in it.
  func startAgain(seconds: Double = 60) throws {
    let end = Date().addingTimeInterval(seconds)
    func state() throws -> String {
      try podman(["inspect", "-f", "{{.State.Status}}", container], check: false).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }
    while try state() != "exited" && Date() < end { Thread.sleep(forTimeInterval: 0.2) }
    try detached(["start", container])
    while try inPod(["true"], check: false).status != 0 {
      guard Date() < end else { throw TestError("the pod did not come back: \(try state())") }
      if try state() == "exited" { try detached(["start", container]) }
      Thread.sleep(forTimeInterval: 0.2)
    }
  }

  /// Whether the pod's container runs.
  func running() throws -> Bool {
    try podman(["inspect", "-f", "{{.State.Running}}", container], check: false).stdout.hasPrefix("true")
  }

  // MARK: the image

  private static let lock = NSLock()
  nonisolated(unsafe) private static var built: String?

  /// `localhost/wt-pod-test:TAG`, TAG from the wt binary and the image
  /// script, so a rebuilt wt makes a new image and an unchanged one is
  /// reused.
  static func buildImage(conf: String) throws -> String {
    try lock.withLock {
      if let built { return built }
      let binary = CLITests.binary
      let facts = try FileManager.default.attributesOfItem(atPath: binary)
      let script = try String(contentsOfFile: "\(support)/pod-image", encoding: .utf8)
      let key = "\(facts[.size] ?? 0) \((facts[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0) \(script)"
      let tag = "localhost/wt-pod-test:" + String(format: "%016llx", key.utf8.reduce(14_695_981_039_346_656_037 as UInt64) { ($0 ^ UInt64($1)) &* 1_099_511_628_211 })
      let environment = ProcessInfo.processInfo.environment.merging(["CONTAINERS_CONF": conf]) { _, b in b }
      if try runChild("/usr/bin/env", ["podman", "image", "exists", tag], environment: environment).status != 0 {
        let tar = FileManager.default.temporaryDirectory.appendingPathComponent("wt-pod-image-\(UUID().uuidString).tar").path
        defer { try? FileManager.default.removeItem(atPath: tar) }
        let make = try runChild("\(support)/pod-image", [tar, binary, support])
        guard make.status == 0 else { throw TestError("pod-image failed: \(make.stderrText)") }
        let load = try runChild(
          "/usr/bin/env", ["podman", "import", "-q", "--change", "ENV PATH=/usr/local/bin:/usr/bin:/bin", tar, tag], environment: environment)
        guard load.status == 0 else { throw TestError("podman import failed: \(load.stderrText)") }
        // Earlier builds' images go (one in use by a running pod stays).
        let listed = try runChild(
          "/usr/bin/env", ["podman", "images", "--format", "{{.Repository}}:{{.Tag}}", "localhost/wt-pod-test"], environment: environment)
        for old in listed.stdoutText.split(separator: "\n").map(String.init) where old != tag && old.hasPrefix("localhost/wt-pod-test:") {
          _ = try? runChild("/usr/bin/env", ["podman", "rmi", old], environment: environment)
        }
      }
      built = tag
      return tag
    }
  }
}
