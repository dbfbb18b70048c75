import Foundation
import Testing
import TestSupport

extension EndToEnd {
  /// A project on a host that is a pod (`PodHost`: the printed
  /// StatefulSet's pod played on the real podman), reached with `exec:
  /// [podman, exec, -i, …]`: everything wt does there goes through that
  /// argv and the wt in the pod's image.
  @Suite(.tags(.podman), .timeLimit(.minutes(5))) struct PodHostTests {
    /// validate → diff (the exec argv shown) → apply → a worktree and a
    /// session in the pod → the agent takes its prompt → its `wt done`
    /// merges there → the next bead, with hostile text, starts → status
    /// and the hub's frame show the pod's worker beside this machine's.
    @Test func theWholeLoopRunsInAPod() throws {
      let h = try PodHost()
      try h.writeManifest()
      try h.start()
      let p = h.local
      let steps = [
        Playground.run("touch", "pod-work.txt"), Playground.run("git", "add", "pod-work.txt"),
        Playground.run("git", "commit", "-qm", "pod work"), Playground.run("wt", "done"),
      ].joined(separator: "\n")
      let first = try h.bead("Pod first", description: steps, priority: 1)
      // Text a shell would run if it read it: it must arrive as text, through
      // podman exec and the pod's sh.
      let hostile = "Second $(touch /wt/pwned) `touch /wt/pwned2` ';touch /wt/pwned3;' \"$HOME\" \\ 'x'"
      let second = try h.bead(hostile, priority: 2)
      let localBead = try p.bead("Local work")

      let validate = try p.wt("validate", "--hosts")
      #expect(validate.status == 0, "\(validate.stdout)\(validate.stderr)")
      #expect(validate.stdout.contains("── host \(h.name) (podman exec -i \(h.container)) ──"), "\(validate.stdout)")

      let diff = try p.wt("diff")
      #expect(diff.status == 0, "\(diff.stderr)")
      #expect(diff.stdout.contains("+ create demo/\(localBead)"))
      #expect(diff.stdout.contains("── host \(h.name) (podman exec -i \(h.container)) ──"), "\(diff.stdout)")
      #expect(diff.stdout.contains("+ create api/\(first)"))

      let apply = try p.wt("apply", "--yes")
      #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
      #expect(try p.wait(seconds: 60) { (try h.show(first)["status"] as? String) == "closed" }, "\(h.submissions())")
      #expect(try p.wait { try !h.exists("/wt/worktrees/api/\(first)") && !h.sessions().contains("wt-api__\(first)") })
      #expect(try h.inPod(["git", "log", "--format=%s", "main"], in: h.repo).stdout.contains("pod work"))
      #expect(try h.exists("\(h.repo)/pod-work.txt"))
      #expect(h.submissions().first?["prompt"] as? String ?? "" != "")

      let next = try p.wt("apply", "--yes")
      #expect(next.status == 0, "\(next.stdout)\(next.stderr)")
      #expect(try p.wait(seconds: 60) { h.submissions().count == 2 })
      let prompt = h.submissions().last?["prompt"] as? String ?? ""
      #expect(prompt.contains(hostile), "\(prompt)")
      for file in ["/wt/pwned", "/wt/pwned2", "/wt/pwned3"] { #expect(try !h.exists(file)) }

      let rows = try p.rows("status", "--json")
      #expect(Set(rows.compactMap { $0["bead"] as? String }) == [localBead, second])
      #expect(rows.first { $0["bead"] as? String == second }?["host"] as? String == h.name)
      let frame = try p.wt("watch", "--once").stdout
      #expect(frame.contains(h.name) && frame.contains("api/\(second)") && frame.contains("demo/\(localBead)"), "\(frame)")
      #expect(try p.wt("diff").stdout.contains("No changes"))
    }
  }
}

extension EndToEnd.PodHostTests {
  /// `wt host install` copies this wt into the pod through the exec
  /// transport (stdin carries the binary), where the host's `wt:` may name it.
  @Test func hostInstallCopiesThisWtIntoThePod() throws {
    let h = try PodHost()
    try h.writeManifest()
    try h.start()
    let install = try h.local.wt("host", "install", h.name, "--to", "/wt/bin/wt")
    #expect(install.status == 0, "\(install.stdout)\(install.stderr)")
    #expect(install.stdout.contains("Installed wt"), "\(install.stdout)")
    let version = try h.inPod(["/wt/bin/wt", "--version"])
    #expect(version.stdout == (try h.local.wt("--version")).stdout)
  }
}
