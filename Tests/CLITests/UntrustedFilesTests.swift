import Foundation
import Testing

/// What wt reads from files and numbers it did not write: a repository's
/// own wt.yaml, the person's manifest, durations, hook input, its own
/// history and state after someone else touched them.
extension EndToEnd {
  @Suite(.timeLimit(.minutes(5))) struct UntrustedFilesTests {
    @Test func aRepositorysCommandsRunOnlyOnceTrustedAndAgainAfterAChange() throws {
      let p = try Playground()
      let marker = "\(p.dir)/setup-ran"
      let repoFile = "\(p.repo)/wt.yaml"
      try "version: 1\nproject:\n  setup: [[touch, \(marker)]]\n".write(toFile: repoFile, atomically: true, encoding: .utf8)
      let id = try p.bead("Needs setup")

      let validate = try p.wt("validate")
      #expect(validate.status == 0)
      #expect(validate.stdout.contains("demo: setup: touch \(marker)  (not trusted yet: wt trust \(repoFile))"), "\(validate.stdout)")
      let diff = try p.wt("diff")
      #expect(diff.stdout.contains("\(repoFile) is not trusted yet"), "\(diff.stdout)")
      #expect(diff.stdout.contains("No changes"))
      #expect(try p.wt("apply", "--yes").status == 0)
      #expect(!p.exists(marker))
      #expect(try p.show(id)["status"] as? String == "open")

      let trust = try p.wt("trust", p.repo)
      #expect(trust.status == 0)
      #expect(trust.stdout.contains("setup: touch \(marker)"))
      #expect(try p.wt("apply", "--yes").status == 0)
      #expect(p.exists(marker))
      #expect(try p.show(id)["status"] as? String == "in_progress")

      // A changed file is a new file: trusted again or not at all.
      try "version: 1\nproject:\n  setup: [[touch, \(marker)-2]]\n".write(toFile: repoFile, atomically: true, encoding: .utf8)
      #expect(try p.wt("validate").stdout.contains("not trusted yet"))
      let changed = try p.wt("diff").stdout
      #expect(changed.contains("asks wt to run: setup: touch \(marker)-2") && changed.contains("not trusted yet"), "\(changed)")
    }

    /// Issue 21: an untrusted repository wt.yaml declaring `disposable:`
    /// made `wt done` delete the person's edited ignored files with the
    /// worktree. It waits for `wt trust` like `setup`, is listed like it,
    /// and deletes nothing meanwhile.
    @Test func aRepositorysDisposableWaitsForTrustAndDeletesNothing() throws {
      let p = try Playground()
      let repoFile = "\(p.repo)/wt.yaml"
      try "version: 1\nproject:\n  disposable: [.env]\n".write(toFile: repoFile, atomically: true, encoding: .utf8)
      try ".beads/\n.env\n".write(toFile: "\(p.repo)/.gitignore", atomically: true, encoding: .utf8)
      try p.sh(["git", "add", "-A"])
      try p.sh(["git", "commit", "-qm", "a wt.yaml"])
      let validate = try p.wt("validate")
      #expect(validate.stdout.contains("demo: disposable: .env  (not trusted yet: wt trust \(repoFile))"), "\(validate.stdout)")
      #expect(try p.wt("diff").stdout.contains("asks wt to run: disposable: .env"))
      let waiting = try p.bead("Waits")
      #expect(try p.wt("apply", "--yes").status == 0)
      #expect(try p.show(waiting)["status"] as? String == "open")
      // A worker that was there before the file said so (made by hand).
      let id = try p.handWorker("Work")
      let tree = p.worktree(id)
      try "TOKEN=mine\n".write(toFile: "\(tree)/.env", atomically: true, encoding: .utf8)
      try p.commit("work.txt", "work\n", in: tree)
      _ = try p.wt("done", id)
      #expect(p.read("\(tree)/.env") == Data("TOKEN=mine\n".utf8))
    }

    @Test func aRepositorysOwnManifestRunsNothingUntilTrusted() throws {
      let p = try Playground()
      let marker = "\(p.dir)/bd-ran"
      try "#!/bin/sh\ntouch \(marker)\necho '[]'\n".write(toFile: "\(p.repo)/fake-bd", atomically: true, encoding: .utf8)
      try p.sh(["chmod", "+x", "\(p.repo)/fake-bd"])
      try "version: 1\nsettings:\n  bd: ./fake-bd\nproject:\n  workers: 1\n".write(
        toFile: "\(p.repo)/wt.yaml", atomically: true, encoding: .utf8)
      // Found as ./wt.yaml: not a file the person named.
      p.env["WT_CONFIG"] = ""
      p.env["WT_BD"] = ""
      for args in [["diff"], ["ready"], ["status"], ["apply", "--yes"]] {
        let run = try p.sh([CLITests.binary] + args, check: false)
        #expect(run.status == 1, "wt \(args[0])")
        #expect(run.stderr.contains("bd: \(p.repo)/fake-bd") && run.stderr.contains("wt trust"), "\(run.stderr)")
      }
      #expect(!p.exists(marker))
      let validate = try p.wt("validate")
      #expect(validate.status == 0)
      #expect(validate.stdout.contains("asks wt to run: project repo: \(p.repo); bd: \(p.repo)/fake-bd"), "\(validate.stdout)")
      #expect(try p.wt("trust", ".").status == 0)
      #expect(try p.wt("ready").status == 0)
      #expect(p.exists(marker))
    }

    /// The person's own ./wt.yaml in a folder that is no repository runs
    /// as they wrote it, edit after edit, with no `wt trust`; the same file
    /// as a cloned repository brings it still waits for trust.
    @Test func yourOwnWtYamlOutsideAnyRepositoryNeedsNoTrust() throws {
      let p = try Playground()
      let marker = "\(p.dir)/setup-ran"
      p.env["WT_CONFIG"] = ""
      try p.editManifest { $0.replacingOccurrences(of: "    gate: []", with: "    gate: []\n    setup: [[touch, \(marker)]]") }
      let id = try p.bead("Set up")
      let validate = try p.wt("validate", in: p.dir)
      #expect(validate.stdout.contains("yours: no git repository holds it") && !validate.stdout.contains("not trusted"), "\(validate.stdout)")
      let apply = try p.wt("apply", "--yes", in: p.dir)
      #expect(apply.status == 0, "\(apply.stderr)")
      #expect(p.exists(marker) && p.exists(p.worktree(id)))
      // An edit is the person's edit too.
      try p.editManifest { $0.replacingOccurrences(of: "    gate: []", with: "    gate: [[\"true\"]]") }
      let diff = try p.wt("diff", in: p.dir)
      #expect(diff.status == 0, "\(diff.stderr)")
      #expect(diff.stdout.contains("No changes"))

      // A repository that carries a whole manifest: cloned, it is not
      // the person's, wherever the clone is.
      let hostile = "\(p.dir)/hostile"
      try FileManager.default.createDirectory(atPath: hostile, withIntermediateDirectories: true)
      try p.sh(["git", "init", "-q", "-b", "main"], in: hostile)
      try "version: 1\nprojects:\n  x:\n    path: .\n    setup: [[touch, \(p.dir)/pwned]]\n".write(
        toFile: "\(hostile)/wt.yaml", atomically: true, encoding: .utf8)
      try p.sh(["git", "add", "wt.yaml"], in: hostile)
      try p.sh(["git", "commit", "-qm", "a manifest"], in: hostile)
      try p.sh(["git", "clone", "-q", hostile, "\(p.dir)/clone"])
      let refused = try p.wt("apply", "--yes", in: "\(p.dir)/clone")
      #expect(refused.status == 1)
      #expect(refused.stderr.contains("is not your own wt.yaml") && refused.stderr.contains("wt trust"), "\(refused.stderr)")
      #expect(!p.exists("\(p.dir)/pwned"))
    }

    @Test func copyNeverReadsOutsideTheRepository() throws {
      let p = try Playground()
      try "version: 1\nproject:\n  copy: [../../.ssh/id_rsa, /etc/passwd, .env]\n".write(
        toFile: "\(p.repo)/wt.yaml", atomically: true, encoding: .utf8)
      let validate = try p.wt("validate")
      // The repository's file is refused as a whole; its project waits.
      #expect(validate.stderr.contains("'copy' names '../../.ssh/id_rsa', which is outside the repository"))
      #expect(validate.stderr.contains("'copy' names '/etc/passwd', which is outside the repository"))
      #expect(validate.stdout.contains("nothing until the file can be read"), "\(validate.stdout)")
      // In the person's own manifest it is an error.
      try String(contentsOfFile: "\(p.dir)/wt.yaml", encoding: .utf8)
        .replacingOccurrences(of: "    path: repo\n", with: "    path: repo\n    copy: [../secret]\n")
        .write(toFile: "\(p.dir)/wt.yaml", atomically: true, encoding: .utf8)
      let own = try p.wt("validate")
      #expect(own.status == 1 && own.stderr.contains("'copy' names '../secret', which is outside the repository"))
    }

    @Test func projectAddKeepsTheManifestsModeAndRefusesAReadOnlyOne() throws {
      let p = try Playground()
      let other = "\(p.dir)/other"
      try FileManager.default.createDirectory(atPath: other, withIntermediateDirectories: true)
      try p.sh(["git", "init", "-q", "-b", "main"], in: other)
      let manifest = "\(p.dir)/wt.yaml"
      try p.sh(["chmod", "600", manifest])
      #expect(try p.wt("project", "add", other).status == 0)
      #expect(try mode(manifest) == 0o600)
      #expect(try String(contentsOfFile: manifest, encoding: .utf8).contains("other:"))

      try p.sh(["chmod", "444", manifest])
      let before = try Data(contentsOf: URL(fileURLWithPath: manifest))
      let third = "\(p.dir)/third"
      try FileManager.default.createDirectory(atPath: third, withIntermediateDirectories: true)
      try p.sh(["git", "init", "-q", "-b", "main"], in: third)
      let refused = try p.wt("project", "add", third)
      #expect(refused.status == 1)
      #expect(refused.stderr.contains("is read-only"), "\(refused.stderr)")
      #expect(try Data(contentsOf: URL(fileURLWithPath: manifest)) == before)
      #expect(try mode(manifest) == 0o444)
      let leftovers = try FileManager.default.contentsOfDirectory(atPath: p.dir).filter { $0.hasPrefix(".wt.yaml") }
      #expect(leftovers.isEmpty)
    }

    func mode(_ path: String) throws -> Int {
      (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) ?? -1
    }

    @Test(arguments: ["nan", "-3", "0", "1e300", "soon"])
    func absurdDurationsAreRefusedWithASentence(_ value: String) throws {
      let p = try Playground()
      p.env["WT_TIMEOUT"] = value
      let diff = try p.wt("diff")
      #expect(diff.status == 1)
      #expect(diff.stderr.hasPrefix("wt: WT_TIMEOUT"), "\(diff.stderr)")
      p.env["WT_TIMEOUT"] = nil
      for command in [["apply", "--watch", "--yes"], ["auto"], ["watch", "--once"]] {
        let run = try p.sh([CLITests.binary] + command + ["--interval", value], check: false)
        #expect(run.status == 64, "\(command) --interval \(value)")
        #expect(run.stderr.contains("--interval"), "\(run.stderr)")
        #expect(!run.stderr.contains("Fatal error"))
      }
    }

    @Test func signalReturnsWhenItsStdinStaysOpen() throws {
      let p = try Playground()
      let id = try p.bead("Busy")
      #expect(try p.wt("apply", "--yes").status == 0)
      let proc = Process()
      proc.executableURL = URL(fileURLWithPath: CLITests.binary)
      proc.arguments = ["signal", "--worker", "demo/\(id)", "needs-input", "which one?"]
      proc.environment = ProcessInfo.processInfo.environment.merging(p.env) { _, b in b }
      let stdin = Pipe()
      proc.standardInput = stdin
      proc.standardOutput = FileHandle.nullDevice
      proc.standardError = FileHandle.nullDevice
      stdin.fileHandleForWriting.write(Data("{\"hook_event_name\":".utf8))
      try proc.run()
      // The writer never closes its end; wt must not wait for it.
      #expect(try p.wait(seconds: 20) { !proc.isRunning })
      if proc.isRunning { proc.terminate() }
      #expect(proc.terminationStatus == 0)
      let status = try p.rows("status", "--json")
      #expect(status.first?["status"] as? String == "needs-input")
      try stdin.fileHandleForWriting.close()
    }

    @Test func historySurvivesBadBytesAndHalfWrittenLines() throws {
      let p = try Playground()
      let id = try p.bead("Remembered")
      #expect(try p.wt("apply", "--yes").status == 0)
      let events = "\(p.dir)/state/events.jsonl"
      let handle = try #require(FileHandle(forWritingAtPath: events))
      handle.seekToEndOfFile()
      handle.write(Data([0xFF, 0xFE, 0x7B, 0x0A]))
      handle.write(Data("{\"event\":\"created\",\"wor".utf8))
      try handle.close()
      let seance = try p.wt("seance", id)
      #expect(seance.status == 0)
      #expect(seance.stdout.contains("demo/\(id)"))
      #expect(seance.stderr.contains("skipped 2 damaged lines"), "\(seance.stderr)")
    }

    @Test func aStateFileWtCannotReadChangesNothing() throws {
      let p = try Playground()
      let first = try p.bead("First")
      #expect(try p.wt("apply", "--yes").status == 0)
      let state = "\(p.dir)/state/state.json"
      let saved = try Data(contentsOf: URL(fileURLWithPath: state))
      // Damaged: a write cut short.
      try saved.prefix(saved.count / 2).write(to: URL(fileURLWithPath: state))
      _ = try p.bead("Second")
      let apply = try p.wt("apply", "--yes")
      #expect(apply.status == 1)
      #expect(apply.stderr.contains("state.json is damaged"), "\(apply.stderr)")
      #expect(!apply.stderr.contains("NSCocoaErrorDomain"))
      #expect(try Data(contentsOf: URL(fileURLWithPath: state)) == saved.prefix(saved.count / 2))
      // Unreadable (here: not a file at all, which root cannot read either).
      try FileManager.default.removeItem(atPath: state)
      try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: false)
      let again = try p.wt("apply", "--yes")
      #expect(again.status == 1)
      #expect(again.stderr.contains("cannot read \(state)"), "\(again.stderr)")
      #expect(!again.stderr.contains("NSCocoaErrorDomain"))
      #expect(try p.show(first)["status"] as? String == "in_progress")
    }

    /// Not only commands: a repository's prompt, or an empty gate that
    /// would drop the person's, is the repository's word too.
    @Test func everyFieldARepositorySuppliesWaitsForTrust() throws {
      let p = try Playground()
      // The person's manifest leaves the prompt to the repository.
      let manifest = try String(contentsOfFile: "\(p.dir)/wt.yaml", encoding: .utf8)
      try manifest.components(separatedBy: "    prompt: |")[0].write(toFile: "\(p.dir)/wt.yaml", atomically: true, encoding: .utf8)
      try "version: 1\nproject:\n  prompt: \"!\\u0301;touch \(p.dir)/pwned #\"\n".write(
        toFile: "\(p.repo)/wt.yaml", atomically: true, encoding: .utf8)
      let id = try p.bead("Prompted by the repository")
      let validate = try p.wt("validate")
      #expect(validate.stdout.contains("asks wt to run: prompt:"), "\(validate.stdout)")
      #expect(try p.wt("apply", "--yes").status == 0)
      #expect(try p.show(id)["status"] as? String == "open")
      #expect(!p.exists("\(p.dir)/pwned"))
    }

    @Test func aRepositoryFileThatIsALinkIsNotRead() throws {
      let p = try Playground()
      let elsewhere = "\(p.dir)/trusted-elsewhere.yaml"
      try "version: 1\nproject:\n  setup: [[touch, \(p.dir)/pwned]]\n".write(toFile: elsewhere, atomically: true, encoding: .utf8)
      #expect(try p.wt("trust", elsewhere).status == 0)
      try FileManager.default.createSymbolicLink(atPath: "\(p.repo)/wt.yaml", withDestinationPath: elsewhere)
      let id = try p.bead("Linked")
      let validate = try p.wt("validate")
      #expect(validate.stderr.contains("is not used: it is a symbolic link"), "\(validate.stderr)")
      #expect(try p.wt("apply", "--yes").status == 0)
      #expect(!p.exists("\(p.dir)/pwned"))
      #expect(try p.show(id)["status"] as? String == "open")
    }

    @Test func twoProjectsOnOneRepositoryAreRefused() throws {
      let p = try Playground()
      try String(contentsOfFile: "\(p.dir)/wt.yaml", encoding: .utf8)
        .replacingOccurrences(of: "projects:\n", with: "projects:\n  twin:\n    path: repo/.\n")
        .write(toFile: "\(p.dir)/wt.yaml", atomically: true, encoding: .utf8)
      let validate = try p.wt("validate")
      #expect(validate.status == 1)
      #expect(validate.stderr.contains("is the same repository as project 'twin'"), "\(validate.stderr)")
      // At both entries.
      #expect(validate.stderr.contains("wt.yaml:15:11: error: project path \(p.dir)/repo is the same repository as project 'demo'"), "\(validate.stderr)")
    }

    /// A repository's manifest stays the repository's inside its workers:
    /// changed after it was trusted, its notify does not run from a hook.
    @Test func aRepositoryManifestChangedUnderAWorkerRunsNothingThere() throws {
      let p = try Playground()
      let marker = "\(p.dir)/notified"
      let text = try String(contentsOfFile: "\(p.dir)/wt.yaml", encoding: .utf8)
        .replacingOccurrences(of: "    path: repo\n", with: "    path: .\n")
      try text.write(toFile: "\(p.repo)/wt.yaml", atomically: true, encoding: .utf8)
      p.env["WT_CONFIG"] = ""
      #expect(try p.wt("trust", ".").status == 0)
      let id = try p.bead("Runs from the repository's manifest")
      #expect(try p.wt("apply", "--yes").status == 0)
      try (text.replacingOccurrences(of: "settings:\n", with: "settings:\n  notify: [touch, \(marker)]\n"))
        .write(toFile: "\(p.repo)/wt.yaml", atomically: true, encoding: .utf8)
      // As the worker's hook runs it: WT_CONFIG and its origin from the session.
      let env = try p.sh(["tmux", "-L", p.socket, "show-environment", "-t", "=wt-demo__\(id)"]).stdout
      #expect(env.contains("WT_CONFIG_ORIGIN=repository"), "\(env)")
      p.env["WT_CONFIG"] = "\(p.repo)/wt.yaml"
      p.env["WT_CONFIG_ORIGIN"] = "repository"
      _ = try p.wt("signal", "needs-input", "help", in: p.worktree(id))
      #expect(try p.notifiersEnded(writing: marker))
      #expect(!p.exists(marker))
      let done = try p.wt("done", in: p.worktree(id))
      #expect(done.status == 1 && done.stderr.contains("wt trust"), "\(done.stderr)")
    }

    @Test func aBeadBdPrintsOddlyIsRefusedAloneAndItsProjectGoesOn() throws {
      let p = try Playground(workers: 2)
      let odd = try p.bead("Odd")
      let fine = try p.bead("Fine")
      let db = "\(p.repo)/.beads/issues.json"
      let text = try String(contentsOfFile: db, encoding: .utf8)
      var data = try #require(p.json(text) as? [String: Any])
      var issues = try #require(data["issues"] as? [String: Any])
      var bead = try #require(issues[odd] as? [String: Any])
      bead["priority"] = 1e30
      issues[odd] = bead
      data["issues"] = issues
      try JSONSerialization.data(withJSONObject: data).write(to: URL(fileURLWithPath: db))
      let diff = try p.wt("diff")
      #expect(diff.status == 0, "\(diff.stderr)")
      #expect(diff.stdout.contains("refused bead '\(odd)': bd printed it in a form wt cannot read"), "\(diff.stdout)")
      #expect(diff.stdout.contains("+ create demo/\(fine)"))
    }

    @Test func aClaudeFolderThatIsALinkIsNeverWrittenThrough() throws {
      let p = try Playground(agents: nil)
      let victim = "\(p.dir)/victim"
      try FileManager.default.createDirectory(atPath: victim, withIntermediateDirectories: true)
      try FileManager.default.createSymbolicLink(atPath: "\(p.repo)/.claude", withDestinationPath: victim)
      try p.sh(["git", "add", ".claude"])
      try p.sh(["git", "commit", "-qm", "link"])
      try String(contentsOfFile: "\(p.dir)/wt.yaml", encoding: .utf8)
        .replacingOccurrences(of: "    session_id: true\n", with: "    session_id: true\n    hooks: claude\n")
        .write(toFile: "\(p.dir)/wt.yaml", atomically: true, encoding: .utf8)
      _ = try p.bead("Linked settings")
      let apply = try p.wt("apply", "--yes")
      #expect(apply.status == 1)
      #expect(apply.stderr.contains("is a symbolic link"), "\(apply.stderr)")
      #expect(try FileManager.default.contentsOfDirectory(atPath: victim).isEmpty)
    }
  }
}
