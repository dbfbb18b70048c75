import Foundation
import Presentation
import Reconciler
import Testing

/// The hub on a private tmux server with a real client attached (under
/// Python's `pty`, which gives it a terminal on Linux and macOS alike): Enter in `wt watch` switches the
/// client to a worker, and the hub's `wt watch` keeps running throughout.
extension EndToEnd {
  @Suite(.timeLimit(.minutes(5))) struct HubTests {
    func tmux(_ p: Playground, _ args: String...) throws -> String {
      try p.sh(["tmux", "-L", p.socket] + args).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func theHubIsCreatedOnceAndSurvivesSwitching() throws {
      let p = try Playground()
      let id = try p.bead("Hub worker")
      #expect(try p.wt("apply", "--yes").status == 0)
      #expect(try p.wt("hub", "--no-attach").stdout.contains("started the hub"))
      #expect(try p.wt("hub", "--no-attach").stdout.isEmpty)
      let hubPane = { try self.tmux(p, "list-panes", "-t", "=wt-hub", "-F", "#{pane_pid} #{pane_dead}") }
      let before = try hubPane()
      #expect(before.hasSuffix(" 0"))
      #expect(try tmux(p, "list-sessions", "-F", "#{session_name}").split(separator: "\n").sorted() == ["wt-demo__\(id)", "wt-hub"])
      // The hub is never taken for a worker.
      #expect(try p.wt("diff").stdout.contains("No changes"))

      // A real client, attached to the hub.
      let client = try p.attachClient(to: "wt-hub")
      defer { client.terminate() }
      let clientSession = { try self.tmux(p, "list-clients", "-F", "#{client_session}") }
      #expect(try p.wait(seconds: 10) { try clientSession() == "wt-hub" })
      // The watch shows the worker; Enter switches the client to it.
      #expect(try p.wait(seconds: 15) { try self.tmux(p, "capture-pane", "-p", "-t", "=wt-hub:").contains("demo/\(id)") })
      _ = try tmux(p, "send-keys", "-t", "=wt-hub:", "Enter")
      #expect(try p.wait(seconds: 10) { try clientSession() == "wt-demo__\(id)" })
      #expect(try hubPane() == before)
      // Back, as the documented key binding does.
      _ = try tmux(p, "switch-client", "-t", "=wt-hub")
      #expect(try p.wait(seconds: 10) { try clientSession() == "wt-hub" })
      #expect(try hubPane() == before)
      #expect(try self.tmux(p, "capture-pane", "-p", "-t", "=wt-hub:").contains("switched to wt-demo__\(id)"))
    }

    /// What the hub says is true: prefix + H brings a person back (wt binds
    /// it on its own server), `q` detaches and the header says so, and at
    /// 80 columns the header stays one line instead of wrapping.
    @Test func prefixHComesBackAndTheHeaderFitsAndSaysDetach() throws {
      let p = try Playground()
      let id = try p.bead("Back and forth")
      #expect(try p.wt("apply", "--yes").status == 0)
      #expect(try p.wt("hub", "--no-attach").status == 0)
      #expect(try tmux(p, "list-keys", "-T", "prefix", "H") == "bind-key -T prefix H switch-client -t =wt-hub")
      let client = try p.attachClient(to: "wt-hub")
      defer { client.terminate() }
      let clientSession = { try self.tmux(p, "list-clients", "-F", "#{client_session}") }
      #expect(try p.wait(seconds: 10) { try clientSession() == "wt-hub" })
      let screen = { try p.sh(["tmux", "-L", p.socket, "capture-pane", "-p", "-t", "=wt-hub:"]).stdout.components(separatedBy: "\n") }

      for width in [120, 80] {
        _ = try tmux(p, "resize-window", "-t", "=wt-hub:", "-x", "\(width)", "-y", "24")
        // tmux cuts the old frame at the new width; wt's redraw is the one
        // whose header ends in its own hint.
        let fits = try p.wait(seconds: 15) {
          let lines = try screen()
          return lines.count > 3 && lines[0].hasPrefix("wt watch — 1 live worker") && lines[0].hasSuffix("q detach)")
            && lines[1].isEmpty && lines[2].hasPrefix("  WORKER") && lines[3].contains("demo/\(id)")
        }
        let lines = try screen()
        #expect(fits, "\(width): \(lines.prefix(4).joined(separator: "\n"))")
        #expect(!lines.joined().contains("q quit"))
        for line in lines { #expect(DisplayWidth.of(line) <= width, "\(line)") }
      }

      // Enter: to the worker; the footer names a way back, and it works.
      _ = try tmux(p, "send-keys", "-t", "=wt-hub:", "Enter")
      #expect(try p.wait(seconds: 10) { try clientSession() == "wt-demo__\(id)" })
      #expect(try p.wait(seconds: 10) { try screen().joined().contains("prefix + H or 'wt hub' brings you back") })
      let keys = try #require(client.standardInput as? Pipe)
      keys.fileHandleForWriting.write(Data("\u{02}H".utf8))
      #expect(try p.wait(seconds: 10) { try clientSession() == "wt-hub" })
    }

    /// The person's default server is never configured: a socket path that
    /// is the default server's (here under a private TMUX_TMPDIR) gets no
    /// binding, and the hub names only what works.
    @Test func theDefaultServerGetsNoBinding() throws {
      let p = try Playground()
      let folder = "\(p.dir)/tmux-\(getuid())"
      try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
      p.env["TMUX_TMPDIR"] = p.dir
      p.env["WT_TMUX_SOCKET"] = "\(folder)/default"
      defer { _ = try? p.sh(["tmux", "-S", "\(folder)/default", "kill-server"], check: false) }
      let hub = try p.wt("hub", "--no-attach")
      #expect(hub.status == 0, "\(hub.stderr)")
      #expect(try p.sh(["tmux", "-S", "\(folder)/default", "has-session", "-t", "=wt-hub"], check: false).status == 0)
      let keys = try p.sh(["tmux", "-S", "\(folder)/default", "list-keys", "-T", "prefix", "H"], check: false)
      #expect(keys.status != 0 && keys.stdout.isEmpty, "\(keys.stdout)")
    }

    /// A relative `argv[0]` through a symlink, from another folder: the hub
    /// (like every hook) must still run wt by its real, absolute path.
    @Test func theHubRunsWtByItsRealPathWhenStartedThroughASymlink() throws {
      let p = try Playground()
      try FileManager.default.createDirectory(atPath: "\(p.dir)/bin", withIntermediateDirectories: true)
      try FileManager.default.createDirectory(atPath: "\(p.dir)/elsewhere", withIntermediateDirectories: true)
      try FileManager.default.createSymbolicLink(atPath: "\(p.dir)/bin/wt-link", withDestinationPath: CLITests.binary)
      let run = try p.sh(["/bin/sh", "-c", "cd elsewhere && ../bin/wt-link hub --no-attach"], in: p.dir, check: false)
      #expect(run.status == 0, "\(run.stderr)")
      let resolved = try #require(realpath(CLITests.binary, nil))
      defer { free(resolved) }
      let real = String(cString: resolved)
      #expect(try tmux(p, "show-options", "-v", "-t", "wt-hub", "status-right").hasPrefix("#('\(real)' status --attention)"))
      #expect(try tmux(p, "list-panes", "-t", "=wt-hub", "-F", "#{pane_start_command}").contains(real))
    }

    @Test func watchOnceRendersTheTableAndAttentionCounts() throws {
      let p = try Playground()
      let id = try p.bead("Needs me")
      #expect(try p.wt("apply", "--yes").status == 0)
      #expect(try p.wt("signal", "needs-input", "pick a colour", "--worker", "demo/\(id)").status == 0)
      let frame = try p.wt("watch", "--once").stdout
      #expect(frame.contains("1 live worker, 1 needs you"))
      #expect(frame.contains("needs-input"))
      #expect(try p.wt("status", "--attention").stdout == "wt: 1 needs you\n")
    }

    @Test func notifyRunsOncePerChange() throws {
      let p = try Playground()
      let marker = "\(p.dir)/notified"
      var manifest = try String(contentsOfFile: "\(p.dir)/wt.yaml", encoding: .utf8)
      manifest = manifest.replacingOccurrences(
        of: "settings:\n", with: "settings:\n  notify: [\(CLITests.root)/Tests/Support/record-args, \(marker), \"{{worker.name}}\", \"{{worker.status}}: {{worker.message}}\"]\n")
      try manifest.write(toFile: "\(p.dir)/wt.yaml", atomically: true, encoding: .utf8)
      let id = try p.bead("Notify")
      #expect(try p.wt("apply", "--yes").status == 0)
      for _ in 0..<3 { _ = try p.wt("signal", "needs-input", "$(touch \(p.dir)/pwned)", "--worker", "demo/\(id)") }
      _ = try p.wt("signal", "working", "--worker", "demo/\(id)")
      _ = try p.wt("signal", "needs-input", "again", "--worker", "demo/\(id)")
      #expect(try p.wait(seconds: 5) { ((try? String(contentsOfFile: marker, encoding: .utf8)) ?? "").split(separator: "\n").count == 2 })
      #expect(try p.notifiersEnded(writing: marker))
      let lines = try String(contentsOfFile: marker, encoding: .utf8).split(separator: "\n")
      #expect(lines == ["demo/\(id)|needs-input: $(touch \(p.dir)/pwned)", "demo/\(id)|needs-input: again"])
      #expect(!p.exists("\(p.dir)/pwned"))
    }
  }
}
