import Foundation
import Testing
import TestSupport

extension EndToEnd {
  /// A pod host that dies, stops or hangs: its project is left alone with a
  /// note, this machine's goes on, and once the pod is back (its volume
  /// kept the repository, the worktrees and wt's state) the next apply
  /// converges.
  @Suite(.tags(.podman), .timeLimit(.minutes(5))) struct PodHostFaultTests {
    /// `podman kill` while the pod's wt applies: the apply here ends, and
    /// after `podman start` the next one converges, one worker and one
    /// prompt for the bead.
    @Test func aPodKilledMidApplyConverges() throws {
      let h = try PodHost()
      let marker = "/wt/apply-began"
      h.hostWT = "/wt/marking-wt"
      try h.writeManifest()
      try h.start()
      let p = h.local
      // The pod's wt marks that its apply began, then stays a moment.
      try h.script(h.hostWT, "#!/bin/sh\ncase \"$1\" in apply) touch \(marker); sleep 2;; esac\nexec wt \"$@\"\n")
      let id = try h.bead("Survives a kill")
      let apply = try p.background("apply", "--yes", "--project", "api")
      defer { if apply.isRunning { apply.terminate() } }
      #expect(try p.wait(seconds: 60) { try h.exists(marker) })
      try h.podman(["kill", h.container])
      #expect(try p.wait(seconds: 60) { !apply.isRunning }, "\(p.backgroundLog)")
      #expect(apply.terminationStatus != 0 || p.backgroundLog.contains("not reached"), "\(p.backgroundLog)")

      try h.startAgain()
      var converged = false
      for _ in 0..<3 where !converged {
        _ = try p.wt("apply", "--yes", "--project", "api")
        converged = try p.wt("diff", "--project", "api").stdout.contains("No changes")
      }
      #expect(converged)
      #expect(try h.sessions() == ["wt-api__\(id)"])
      #expect(try p.wait(seconds: 30) { h.submissions().contains { ($0["prompt"] as? String ?? "").contains(id) } })
      #expect(try h.show(id)["status"] as? String == "in_progress")
    }

    /// Stopped, the pod is a host not reached (this machine's project is
    /// still shown); started again, its volume still holds the worktree and
    /// wt's state, and apply brings the worker back in the same worktree.
    @Test func aPodStoppedAndStartedKeepsItsWorktreesAndState() throws {
      let h = try PodHost()
      try h.writeManifest()
      try h.start()
      let p = h.local
      let id = try h.bead("Outlives a restart")
      let localBead = try p.bead("Local")
      #expect(try p.wt("apply", "--yes").status == 0)
      #expect(try p.wait(seconds: 30) { h.submissions().count == 1 })
      let worktree = "/wt/worktrees/api/\(id)"
      try h.inPod(["sh", "-c", "echo kept > notes.txt"], in: worktree)

      try h.podman(["stop", "-t", "2", h.container])
      let status = try p.wt("status")
      #expect(status.status == 1)
      #expect(status.stdout.contains("demo/\(localBead)"))
      #expect(status.stderr.contains("host \(h.name) not reached"), "\(status.stderr)")

      try h.startAgain()
      #expect(try h.sessions().isEmpty)
      #expect(try h.inPod(["cat", "notes.txt"], in: worktree).stdout == "kept\n")
      #expect(try h.exists("/wt/home/.local/state/wt"))
      #expect(try p.wt("apply", "--yes").status == 0)
      #expect(try h.sessions() == ["wt-api__\(id)"])
      #expect(try h.inPod(["cat", "notes.txt"], in: worktree).stdout == "kept\n")
      #expect(try h.show(id)["status"] as? String == "in_progress")
      let rows = try p.rows("status", "--json")
      #expect(rows.first { $0["bead"] as? String == id }?["host"] as? String == h.name)
    }

    /// An exec that hangs in the pod past the host's timeout: the host is
    /// not reached ("no answer within"), its exec stopped, and this
    /// machine's plan is still shown.
    @Test func anExecThatHangsIsBoundedByTheHostsTimeout() throws {
      let h = try PodHost()
      h.hostTimeout = 3
      h.hostWT = "/wt/slow-wt"
      try h.writeManifest()
      try h.start()
      let p = h.local
      try h.script(h.hostWT, "#!/bin/sh\nsleep 60\nexec wt \"$@\"\n")
      let localBead = try p.bead("Local")
      // The timeout, not the far side's 60 s, ended the wait: its reason
      // says so (how long it took is a benchmark's business).
      let diff = try p.wt("diff")
      #expect(diff.status == 1)
      #expect(diff.stdout.contains("+ create demo/\(localBead)"))
      #expect(diff.stderr.contains("host \(h.name) not reached: no answer within 3.0 seconds"), "\(diff.stderr)")
    }
  }
}

extension EndToEnd {
  /// Three places in one glance: this machine's project, one on an SSH
  /// host (the tests' sshd) and one in a pod.
  @Suite(.tags(.podman, .ssh), .timeLimit(.minutes(5))) struct SSHAndPodHostsTests {
    @Test func anSSHHostAndAPodBesideALocalProjectInOneStatus() throws {
      let ssh = try HostPlayground()
      let p = ssh.local
      let pod = try PodHost(local: p)
      try pod.writeManifest(
        extraHosts: """
            box1:
              ssh: \(ssh.server.destination)
              port: \(ssh.server.port)
              ssh_config: \(ssh.server.configFile)
              state_dir: ~/state
              tmux_socket: \(ssh.tmuxSocket)
              worktree_root: ~/wts
              admission: {max_load_per_core: 1000, min_free_memory: 1MiB}
          """,
        extraAgents: PodHost.agentEntry(log: ssh.agentLog).replacingOccurrences(of: "remote:", with: "boxed:"),
        extraProjects: """
            web:
              host: box1
              path: ~/src/api
              agent: boxed
          """)
      try pod.start()
      let onPod = try pod.bead("On the pod")
      let onBox = try ssh.bead("On the box")
      let here = try p.bead("Here")
      let apply = try p.wt("apply", "--yes")
      #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
      let rows = try p.rows("status", "--json")
      let hosts = Dictionary(rows.compactMap { row in (row["bead"] as? String).map { ($0, row["host"] as? String ?? "local") } }) { a, _ in a }
      #expect(hosts == [onPod: pod.name, onBox: "box1", here: "local"], "\(rows)")
      let status = try p.wt("status")
      #expect(status.status == 0, "\(status.stderr)")
      for text in ["HOST", pod.name, "box1", "api/\(onPod)", "web/\(onBox)", "demo/\(here)"] {
        #expect(status.stdout.contains(text), "\(text): \(status.stdout)")
      }
      #expect(try pod.sessions() == ["wt-api__\(onPod)"])
      #expect(try ssh.sessions() == ["wt-web__\(onBox)"])
    }
  }
}
