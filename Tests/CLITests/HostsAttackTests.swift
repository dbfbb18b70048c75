import Foundation
import Testing
import TestSupport

/// What a repository, a bead or a host's answer may try through `hosts:`:
/// each must leave the person's machine as it was.
extension EndToEnd {
  @Suite(.tags(.ssh), .timeLimit(.minutes(5))) struct HostsAttackTests {
    /// A folder with a repository's own ./wt.yaml, and wt run there as a
    /// person would (no WT_CONFIG: wt finds the file itself).
    final class Checkout: @unchecked Sendable {
      let dir: String
      var repo: String { "\(dir)/repo" }

      init() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("wt-attack-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: "\(dir)/repo", withIntermediateDirectories: true)
        // A clone: a git work tree (a folder in no repository is the person's own).
        let git = try runChild("/usr/bin/env", ["git", "init", "-q", "\(dir)/repo"])
        guard git.status == 0 else { throw TestError("git init: \(git.stderrText)") }
      }

      deinit { try? FileManager.default.removeItem(atPath: dir) }

      func write(_ text: String, to name: String) throws {
        try text.write(toFile: "\(repo)/\(name)", atomically: true, encoding: .utf8)
      }

      /// wt as the person runs it in the checkout: none of wt's variables
      /// from the test's own environment (empty is unset to wt), so wt
      /// finds ./wt.yaml itself.
      func wt(_ args: [String]) throws -> CLITests.Run {
        let unset = Dictionary(uniqueKeysWithValues: ["WT_CONFIG", "WT_CONFIG_ORIGIN", "WT_HOST", "WT_WORKER"].map { ($0, "") })
        return try CLITests().wt(args, in: repo, env: unset.merging(["HOME": dir, "WT_STATE_DIR": "\(dir)/state"]) { _, b in b })
      }
    }

    /// A cloned repository's wt.yaml names a host whose ssh config runs a
    /// command: no command wt takes may run ssh for it before `wt trust`,
    /// not only the ones that refuse an untrusted file outright.
    @Test func anUntrustedManifestNeverRunsSSH() throws {
      let c = try Checkout()
      let marker = "\(c.dir)/ran"
      try "Host *\n  ProxyCommand sh -c 'touch \(marker); exit 1'\n".write(
        toFile: "\(c.repo)/ssh.conf", atomically: true, encoding: .utf8)
      try c.write(
        """
        version: 1
        hosts:
          box1: {ssh: dev@box1.example.invalid, ssh_config: ./ssh.conf, timeout: 5}
        projects:
          api: {host: box1, path: ~/src/api}
        """, to: "wt.yaml")
      for args in [
        ["status"], ["validate"], ["validate", "--hosts"], ["host", "list"], ["diff"], ["ready"], ["queue"], ["project", "list"],
        ["forget", "api/api-1"], ["trust", "--host", "box1", "~/src/api"], ["attach", "api/api-1"],
        ["done", "api-1"], ["new", "api-1", "--project", "api"],
      ] {
        let run = try c.wt(args)
        #expect(!FileManager.default.fileExists(atPath: marker), "wt \(args.joined(separator: " ")) ran ssh: \(run.stderr)")
        try? FileManager.default.removeItem(atPath: marker)
      }
    }
    /// A host whose wt answers `status --json` with `rows` (a JSON array,
    /// put under `workers` with `format_version` unless `root` is given
    /// whole) and passes everything else to the real wt there.
    static func lyingHost(_ rows: String, root: String? = nil, notify: String? = nil) throws -> HostPlayground {
      let h = try HostPlayground()
      let answer = "\(h.server.remoteHome)/rows.json"
      try (root ?? #"{"format_version": "1.0", "workers": \#(rows)}"#).write(toFile: answer, atomically: true, encoding: .utf8)
      let script = "\(h.server.remoteHome)/lying-wt"
      try "#!/bin/sh\ncase \"$1\" in status) cat '\(answer)' ;; *) exec wt \"$@\" ;; esac\n"
        .write(toFile: script, atomically: true, encoding: .utf8)
      chmod(script, 0o755)
      h.hostWT = script
      try h.writeManifest()
      if let notify {
        let file = "\(h.local.dir)/wt.yaml"
        let text = try String(contentsOfFile: file, encoding: .utf8)
        try text.replacingOccurrences(of: "settings:\n", with: "settings:\n  notify: \(notify)\n")
          .write(toFile: file, atomically: true, encoding: .utf8)
      }
      return h
    }

    /// `notify` runs on this machine with what a host's rows say: a row
    /// that is not a worker of that host's projects (an id bd never makes,
    /// an option, a line break, another project) reaches no command here.
    @Test func aHostsRowsReachNotifyOnlyAsItsOwnWorkers() throws {
      let rows = #"""
        [{"name": "api/--help\nx", "project": "api", "bead": "--help\nx", "title": "t", "status": "needs-input",
          "worktree": "/w", "session": "s", "shares_files_with": [], "message": "m"},
         {"name": "demo/demo-abc", "project": "demo", "bead": "demo-abc", "title": "t", "status": "needs-input",
          "worktree": "/w", "session": "s", "shares_files_with": [], "message": "not mine"},
         {"name": "api/api-abc", "project": "api", "bead": "api-abc", "title": "t", "status": "needs-input",
          "worktree": "/w", "session": "s", "shares_files_with": [], "message": "asks \u001b]2;x\u0007 you"}]
        """#
      let log = FileManager.default.temporaryDirectory.appendingPathComponent("wt-notify-\(UUID().uuidString.prefix(8))").path
      defer { try? FileManager.default.removeItem(atPath: log) }
      let recorder = "\(log).sh"
      defer { try? FileManager.default.removeItem(atPath: recorder) }
      try "#!/bin/sh\nprintf '[%s]' \"$@\" >> '\(log)'\necho >> '\(log)'\n".write(toFile: recorder, atomically: true, encoding: .utf8)
      chmod(recorder, 0o755)
      let h = try Self.lyingHost(rows, notify: #"[\#(recorder), "{{worker.name}}", "{{bead.id}}", "{{project.name}}", "{{worker.message}}"]"#)
      let status = try h.local.wt("status")
      #expect(status.status == 0, "\(status.stderr)")
      #expect(try h.local.wait(seconds: 10) { FileManager.default.fileExists(atPath: log) })
      #expect(try h.local.notifiersEnded(writing: log))
      let told = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
      #expect(told == "[box1:api/api-abc][api-abc][api][asks ]2;x you]\n", "\(told)")
    }

    /// A host whose wt prints JSON of another format (a newer wt, or one
    /// that is not wt) is named and left alone: none of its rows is shown
    /// or believed.
    @Test func aHostAnsweringAnotherJSONFormatIsNamedAndLeftAlone() throws {
      let row = #"[{"name": "api/api-abc", "project": "api", "bead": "api-abc", "title": "t", "status": "needs-input", "worktree": "/w", "session": "s", "shares_files_with": []}]"#
      for root in [#"{"format_version": "2.0", "workers": \#(row)}"#, row] {
        let h = try Self.lyingHost("", root: root)
        let status = try h.local.wt("status", "--json")
        #expect(status.status == 1)
        #expect(status.stderr.contains("host box1:"), "\(status.stderr)")
        #expect(status.stderr.contains(root.hasPrefix("{") ? "JSON format 2.0" : "not wt's JSON"), "\(status.stderr)")
        #expect(h.local.rows(status.stdout).isEmpty)
      }
    }

    /// What Enter says about a host's row (a kept worker's message, its
    /// folder) is shown, never obeyed by the terminal.
    @Test func enterOnAHostsRowPrintsItsTextEscaped() throws {
      let rows = #"""
        [{"name": "api/api-abc", "project": "api", "bead": "api-abc", "title": "t", "status": "kept",
          "worktree": "/w\u001b]2;OWNED\u0007", "session": "s", "shares_files_with": [], "message": "kept \u001b]2;OWNED\u0007"}]
        """#
      let h = try Self.lyingHost(rows)
      let p = h.local
      #expect(try p.wt("hub", "--no-attach").status == 0)
      let tmux = { (args: [String]) in try p.sh(["tmux", "-L", p.socket] + args).stdout.trimmingCharacters(in: .whitespacesAndNewlines) }
      let client = try p.attachClient(to: "wt-hub")
      defer { client.terminate() }
      #expect(try p.wait(seconds: 20) { try tmux(["capture-pane", "-p", "-t", "=wt-hub:"]).contains("api/api-abc") })
      _ = try tmux(["send-keys", "-t", "=wt-hub:", "Enter"])
      #expect(try p.wait(seconds: 10) { try tmux(["capture-pane", "-p", "-t", "=wt-hub:"]).contains("was kept") })
      #expect(try !tmux(["display-message", "-p", "-t", "=wt-hub:", "#{pane_title}"]).contains("OWNED"))
      #expect(try tmux(["capture-pane", "-p", "-J", "-t", "=wt-hub:"]).contains(#"kept \e]2;OWNED\x07"#))
    }
  }
}
