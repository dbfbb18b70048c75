import Foundation
import Testing
import TestSupport

/// A sandboxed project's `setup` and `gate` run the repository's code (an
/// install script, the tests a worker wrote), so they run confined like
/// its agent: a gate the worker wrote cannot read the person's key or
/// write their checkout when `wt done` runs it, and its bead still merges.
@Suite(.serialized) struct SandboxCommandsTests {
  @Test(.enabled(if: SandboxTests.bwrap)) func setupAndTheGateTheWorkerWroteRunInTheSandbox() async throws {
    try Self.setupAndGateRunConfined(try SandboxTests.playground(workers: 1), runtime: "bwrap")
  }

  @Test(.enabled(if: PodmanSandboxTests.podman), .tags(.podman), .timeLimit(.minutes(6)))
  func setupAndTheGateRunInContainersThatGoWithThem() async throws {
    let p = try PodmanSandboxTests.playground(workers: 1)
    defer { PodmanSandboxTests.removeContainers(p) }
    try Self.setupAndGateRunConfined(p, runtime: "podman")
    // The setup's and the gate's containers went with their commands.
    let names = try p.sh(["podman", "ps", "--all", "--format", "{{.Names}}"], check: false).stdout
    #expect(!names.contains("-setup") && !names.contains("wt-gate-"), "\(names)")
  }

  static func setupAndGateRunConfined(_ p: Playground, runtime: String) throws {
    let logs = try #require(
      try String(contentsOfFile: "\(p.dir)/wt.yaml", encoding: .utf8).firstMatch(of: /read_write: \[([^\],]+)\]/)?.1).description
    try FileManager.default.createDirectory(atPath: "\(p.dir)/.ssh", withIntermediateDirectories: true)
    try "secret\n".write(toFile: "\(p.dir)/.ssh/x", atomically: true, encoding: .utf8)
    // What a hostile repository would run: read the key, write the
    // person's checkout; each line records what happened where the
    // sandbox may write.
    let probe = { (name: String) in
      "if cat \(p.dir)/.ssh/x >/dev/null 2>&1; then echo \(name) read the key; else echo \(name) could not read the key; fi >> \(logs)/probe.txt; "
        + "if echo pwned > \(p.repo)/\(name)-pwned 2>/dev/null; then echo \(name) wrote the checkout; else echo \(name) could not write the checkout; fi >> \(logs)/probe.txt"
    }
    try (probe("gate") + "\nexit 0\n").write(toFile: "\(logs)/gate-check.sh", atomically: true, encoding: .utf8)
    try p.editManifest {
      $0.replacingOccurrences(
        of: "    gate: []\n", with: "    gate: [[sh, gate-check.sh]]\n    setup: [[sh, -c, \(Self.yamlQuoted(probe("setup")))]]\n")
    }
    // The worker's own code: the gate script, committed by its agent.
    let id = try p.bead(
      "sandboxed commands",
      description: [
        Playground.run("cp", "\(logs)/gate-check.sh", "gate-check.sh"),
        Playground.run("git", "add", "gate-check.sh"),
        Playground.run("git", "commit", "-qm", "the tests"),
        Playground.run("wt", "done"),
      ].joined(separator: "\n"))
    let diff = try p.wt("diff")
    #expect(diff.stdout.contains("demo: gate: sh gate-check.sh  (in a \(runtime) sandbox)"), "\(diff.stdout)")
    let apply = try p.wt("apply", "--yes")
    #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
    let closed = try p.wait(seconds: 90) { (try p.show(id))["status"] as? String == "closed" }
    let probed = (try? String(contentsOfFile: "\(logs)/probe.txt", encoding: .utf8)) ?? ""
    #expect(closed, "\(probed)\n\((try? p.wt("queue").stdout) ?? "")\n\((try? p.wt("status").stdout) ?? "")")
    #expect(probed.contains("setup could not read the key") && probed.contains("setup could not write the checkout"), "\(probed)")
    #expect(probed.contains("gate could not read the key") && probed.contains("gate could not write the checkout"), "\(probed)")
    #expect(!probed.contains("setup read the key") && !probed.contains("gate read the key"), "\(probed)")
    #expect(!p.exists("\(p.repo)/setup-pwned") && !p.exists("\(p.repo)/gate-pwned"))
    #expect(try p.git("show", "main:gate-check.sh").contains("gate could not read"))
    #expect(try p.claimedWithoutWorker().isEmpty)
  }

  /// YAML's single-quoted scalar (one line): quotes doubled.
  static func yamlQuoted(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "''") + "'" }
}
