import Foundation
import Testing
import TestSupport

/// Workers whose agent runs in a podman container (docs/sandbox.md), with
/// the real podman: the image is built from this machine's files
/// (`PodHost.buildImage`, no registry is reachable here) and podman runs
/// with a containers.conf of the test's own (the runc runtime, no default
/// ulimits: what this kind of VM needs), passed to wt through
/// CONTAINERS_CONF, never the machine's. The same attacks as bubblewrap's
/// are refused; no container outlives its worker.
@Suite(.serialized, .tags(.podman), .timeLimit(.minutes(6))) struct PodmanSandboxTests {
  static var podman: Bool { FileManager.default.isExecutableFile(atPath: "/usr/bin/podman") }

  /// The test's containers.conf and the image, once per run.
  static func rig() throws -> (conf: String, image: String) {
    let conf = FileManager.default.temporaryDirectory.appendingPathComponent("wt-sbx-containers-\(getpid()).conf").path
    try "[containers]\ndefault_ulimits = []\n[engine]\nruntime = \"runc\"\n".write(toFile: conf, atomically: true, encoding: .utf8)
    return (conf, try PodHost.buildImage(conf: conf))
  }

  static func playground(image: String? = nil, network: String = "none", workers: Int = 2) throws -> Playground {
    let (conf, built) = try rig()
    return try SandboxTests.playground(
      network: network, workers: workers, runtime: "podman, image: \(image ?? built)", env: ["CONTAINERS_CONF": conf])
  }

  /// This playground's containers (by the state folder wt labels them
  /// with): session name and id.
  static func containers(_ p: Playground) throws -> [(session: String, id: String)] {
    let out = try p.sh(
      ["podman", "ps", "--all", "--no-trunc", "--format", "{{index .Labels \"wt.state\"}} {{index .Labels \"wt.session\"}} {{.ID}}"],
      check: false
    ).stdout
    return out.split(separator: "\n").compactMap { line in
      let parts = line.split(separator: " ").map(String.init)
      return parts.count == 3 && parts[0].hasPrefix(p.dir) ? (parts[1], parts[2]) : nil
    }
  }

  /// Whatever a failed test left of this playground's containers.
  static func removeContainers(_ p: Playground) {
    let ids = ((try? containers(p)) ?? []).map(\.id)
    if !ids.isEmpty { _ = try? p.sh(["podman", "rm", "--force", "--time", "0"] + ids, check: false) }
  }

  static func shown(_ p: Playground) -> Comment { "containers: \((try? containers(p)) ?? [])" }

  static func ids(_ p: Playground, _ bead: String) throws -> [String] {
    try containers(p).filter { $0.session == "wt-demo__\(bead)" }.map(\.id)
  }

  /// Kills the pane's whole process group outright (the pane's wt and
  /// `podman run`): nothing of wt's is left to remove the container, which
  /// podman's conmon keeps running.
  static func killPane(_ p: Playground, _ bead: String) throws {
    let pid = try p.sh(["tmux", "-L", p.socket, "display-message", "-p", "-t", "=wt-demo__\(bead):", "#{pane_pid}"]).stdout
      .trimmingCharacters(in: .whitespacesAndNewlines)
    try p.sh(["kill", "-KILL", "--", "-\(pid)"])
  }

  static func sessions(_ p: Playground) throws -> String {
    try p.sh(["tmux", "-L", p.socket, "list-sessions", "-F", "#{session_name}"], check: false).stdout
  }

  @Test(.enabled(if: podman)) func whatAnAgentTriesAgainstThePersonIsRefusedAndItsOwnWorkMerges() throws {
    let p = try Self.playground()
    defer { Self.removeContainers(p) }
    try SandboxTests.attackThenFinish(p)
    // Its container went with its session; the other worker's runs on.
    #expect(try p.wait(seconds: 30) { try Self.containers(p).count == 1 }, Self.shown(p))
  }

  /// A start whose image is gone, or whose runtime fails, gives the bead
  /// back like any failed start: no claim, no session, no container.
  @Test(.enabled(if: podman)) func aStartThatCannotRunLeavesNoClaimNoSessionAndNoContainer() throws {
    let p = try Self.playground(image: "localhost/wt-no-such-image:1", workers: 1)
    defer { Self.removeContainers(p) }
    let id = try p.bead("never starts")
    func expectNothingLeft() throws {
      #expect((try p.show(id))["status"] as? String == "open")
      #expect(try p.claimedWithoutWorker().isEmpty)
      #expect(!(try Self.sessions(p)).contains(id))
      #expect(try Self.containers(p).isEmpty, Self.shown(p))
    }
    let apply = try p.wt("apply", "--yes")
    #expect(apply.status != 0)
    let said = apply.stdout + apply.stderr
    #expect(said.contains("the image localhost/wt-no-such-image:1 is not on this machine"), "\(said)")
    #expect(said.contains("podman build -t localhost/wt-no-such-image:1"), "\(said)")
    try expectNothingLeft()
    // The image there, the runtime failing.
    let image = try Self.rig().image
    try p.editManifest { $0.replacingOccurrences(of: "image: localhost/wt-no-such-image:1", with: "image: \(image)") }
    let broken = "\(p.dir)/broken.conf"
    try "[containers]\ndefault_ulimits = []\n[engine]\nruntime = \"wt-no-such-runtime\"\n".write(toFile: broken, atomically: true, encoding: .utf8)
    p.env["CONTAINERS_CONF"] = broken
    let failing = try p.wt("apply", "--yes")
    #expect(failing.status != 0)
    #expect((failing.stdout + failing.stderr).contains("podman did not start a container of"), "\(failing.stdout)\(failing.stderr)")
    p.env["CONTAINERS_CONF"] = try Self.rig().conf
    try expectNothingLeft()
  }

  /// Every way a worker's session ends takes its container: a restart
  /// while the old container still runs (the new one replaces it), the
  /// pane's wt terminated (it removes it), a container whose session went
  /// with nothing of wt's left to see it (the next pass removes it), and
  /// `wt abandon`.
  @Test(.enabled(if: podman)) func noContainerOutlivesItsSession() throws {
    let p = try Self.playground(workers: 2)
    defer { Self.removeContainers(p) }
    // Agents that ignore a hang-up: only wt's removal ends their container.
    try p.editManifest { $0.replacingOccurrences(of: "FAKE_AGENT_HISTORY: \"40\"}", with: "FAKE_AGENT_HISTORY: \"40\", FAKE_AGENT_IGNORE_HANGUP: \"1\"}") }
    let a = try p.bead("first", description: "nothing to do", priority: 0)
    let b = try p.bead("second", description: "nothing to do", priority: 1)
    #expect(try p.wt("apply", "--yes").status == 0)
    #expect(try p.wait(seconds: 60) { try Self.ids(p, a).count == 1 && Self.ids(p, b).count == 1 }, Self.shown(p))
    // The agent's pane dies outright; its container runs on. The restart
    // replaces it.
    let first = try Self.ids(p, a)
    try Self.killPane(p, a)
    #expect(try p.wait(seconds: 20) {
      try p.sh(["tmux", "-L", p.socket, "display-message", "-p", "-t", "=wt-demo__\(a):", "#{pane_dead}"]).stdout.hasPrefix("1")
    })
    #expect(try Self.ids(p, a) == first)
    let restarted = try p.wt("apply", "--yes")
    #expect(restarted.status == 0, "\(restarted.stdout)\(restarted.stderr)")
    #expect(try p.wait(seconds: 60) { let now = try Self.ids(p, a); return now.count == 1 && now != first }, Self.shown(p))
    // The pane's wt is terminated (tmux's hang-up, a kill): it removes
    // its container before it ends; `podman run` alone would leave it.
    let pane = try p.sh(["tmux", "-L", p.socket, "display-message", "-p", "-t", "=wt-demo__\(b):", "#{pane_pid}"]).stdout
      .trimmingCharacters(in: .whitespacesAndNewlines)
    try p.sh(["kill", "-TERM", pane])
    #expect(try p.wait(seconds: 30) { try Self.ids(p, b).isEmpty }, Self.shown(p))
    // What a wt killed mid-start leaves: a container of its own whose
    // session is gone. The next pass removes it.
    let state = try p.sh(["podman", "inspect", "--format", "{{index .Config.Labels \"wt.state\"}}", try Self.ids(p, a)[0]]).stdout
      .trimmingCharacters(in: .whitespacesAndNewlines)
    let image = try Self.rig().image
    try p.sh(["podman", "create", "--label", "wt.state=\(state)", "--label", "wt.session=wt-demo__gone", "--", image, "sleep", "600"])
    #expect(try Self.ids(p, "gone").count == 1)
    _ = try p.wt("apply", "--yes")
    #expect(try Self.ids(p, "gone").isEmpty, Self.shown(p))
    // wt abandon removes what runs now, before it returns.
    #expect(try p.wait(seconds: 60) { try Self.ids(p, a).count == 1 })
    let abandoned = try p.wt("abandon", a)
    #expect(abandoned.status == 0, "\(abandoned.stdout)\(abandoned.stderr)")
    #expect(try Self.ids(p, a).isEmpty, Self.shown(p))
  }

  /// `wt diff` shows the podman worker's mounts (the system from the
  /// image, none of this machine's folders); `wt validate` and `wt diff`
  /// fail at the `sandbox:` with the fix when podman is missing, the image
  /// is missing, or podman cannot start a container here.
  @Test(.enabled(if: podman)) func diffShowsTheMountsAndValidateAndDiffSayWhatIsMissing() throws {
    let (conf, image) = try Self.rig()
    let p = try Self.playground(workers: 1)
    defer { Self.removeContainers(p) }
    let id = try p.bead("shown")
    let diff = try p.wt("diff")
    #expect(diff.status == 0, "\(diff.stderr)")
    #expect(diff.stdout.contains("Sandbox of demo/\(id): podman (image \(image)), network none"), "\(diff.stdout)")
    #expect(diff.stdout.contains("  ro  /usr, /etc, …  — the system, from the image (none of this machine's)"))
    #expect(diff.stdout.contains("  rw  \(p.worktree(id))  — the worktree"))
    #expect(!diff.stdout.contains("  ro  /usr (if present)") && !diff.stdout.contains("hidden:"))
    #expect(try p.wt("validate").status == 0)
    // podman that cannot start a container: a runtime that is not there.
    let broken = "\(p.dir)/broken.conf"
    try "[containers]\ndefault_ulimits = []\n[engine]\nruntime = \"wt-no-such-runtime\"\n".write(toFile: broken, atomically: true, encoding: .utf8)
    p.env["CONTAINERS_CONF"] = broken
    for command in ["validate", "diff"] {
      let out = try p.wt(command)
      #expect(out.status == 1, "\(command): \(out.stdout)\(out.stderr)")
      #expect(out.stderr.contains("wt.yaml:18:14: error: sandbox 'podman' cannot run here: podman cannot start a container of \(image) here ("), "\(out.stderr)")
      #expect(out.stderr.contains("hint: run 'podman run --rm \(image) true' until it works"), "\(out.stderr)")
    }
    p.env["CONTAINERS_CONF"] = conf
    // The image missing.
    try p.editManifest { $0.replacingOccurrences(of: "image: \(image)", with: "image: localhost/wt-no-such-image:1") }
    let missing = try p.wt("diff")
    #expect(missing.status == 1)
    #expect(missing.stderr.contains("wt.yaml:18:14: error: sandbox 'podman' cannot run here: the image localhost/wt-no-such-image:1 is not on this machine"), "\(missing.stderr)")
    #expect(missing.stderr.contains("hint: build it here (podman build -t localhost/wt-no-such-image:1 DIR) or import one"))
    // podman not installed: a PATH with git and nothing of podman's.
    let bin = "\(p.dir)/bin"
    try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
    for tool in ["git", "tmux", "python3", "env"] { try FileManager.default.createSymbolicLink(atPath: "\(bin)/\(tool)", withDestinationPath: "/usr/bin/\(tool)") }
    p.env["PATH"] = bin
    let absent = try p.wt("validate")
    #expect(absent.status == 1)
    #expect(absent.stderr.contains("wt.yaml:18:14: error: sandbox 'podman' cannot run here: podman is not installed"), "\(absent.stderr)")
    #expect(absent.stderr.contains("hint: install it: apt-get install podman runc"))
  }
}
