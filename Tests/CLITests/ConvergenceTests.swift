import Foundation
import Testing

/// `wt apply` then `wt diff` says "No changes" and means it, whatever the
/// paths, branch names and config files look like (issue 13).
extension EndToEnd {
  @Suite struct ConvergenceTests {
    /// Replaces `old` with `new` in the playground's wt.yaml.
    static func edit(_ p: Playground, _ old: String, _ new: String) throws {
      let file = "\(p.dir)/wt.yaml"
      let text = try String(contentsOfFile: file, encoding: .utf8)
      #expect(text.contains(old))
      try text.replacingOccurrences(of: old, with: new).write(toFile: file, atomically: true, encoding: .utf8)
    }

    @Test func symlinksDotsAndTrailingSlashesConverge() throws {
      let p = try Playground()
      let fm = FileManager.default
      for folder in ["real-root", "real-tmp", "links"] { try fm.createDirectory(atPath: "\(p.dir)/\(folder)", withIntermediateDirectories: true) }
      try fm.createSymbolicLink(atPath: "\(p.dir)/links/root", withDestinationPath: "\(p.dir)/real-root")
      try fm.createSymbolicLink(atPath: "\(p.dir)/links/repo", withDestinationPath: "../repo")
      try fm.createSymbolicLink(atPath: "\(p.dir)/links/tmp", withDestinationPath: "\(p.dir)/real-tmp")
      try Self.edit(p, "worktree_root: \(p.dir)/worktrees", "worktree_root: \(p.dir)/links/../links/root/")
      try Self.edit(p, "path: repo", "path: links/repo/")
      p.env["TMPDIR"] = "\(p.dir)/links/tmp"
      let id = try p.bead("Linked")

      let first = try p.wt("apply", "--yes")
      #expect(first.status == 0, "\(first.stdout) \(first.stderr)")
      #expect(first.stdout.contains("+ create demo/\(id)"))
      #expect(p.exists("\(p.dir)/real-root/demo/\(id)"))
      for _ in 0..<2 {
        let diff = try p.wt("diff", "--detailed-exitcode")
        #expect(diff.status == 0, "\(diff.stdout) \(diff.stderr)")
        #expect(diff.stdout.contains("No changes"))
        let again = try p.wt("apply", "--yes")
        #expect(again.status == 0, "\(again.stdout) \(again.stderr)")
        #expect(!again.stdout.contains("delete"))
      }
      // The agent still runs and its bead is still wt's.
      #expect(try p.show(id)["status"] as? String == "in_progress")
      let status = try p.wt("status", "--json")
      let rows = p.rows(status.stdout)
      #expect(rows.map { $0["bead"] as? String } == [id])
      #expect(rows.first?["worktree"] as? String == "\(p.dir)/real-root/demo/\(id)" || rows.first?["worktree"] == nil)
    }

    @Test func aMasterRepositoryWithoutBaseWorksFromMaster() throws {
      let p = try Playground()
      try p.git("branch", "-m", "main", "master")
      let id = try p.bead("On master")
      let validate = try p.wt("validate")
      #expect(validate.status == 0, "\(validate.stderr)")
      let list = try p.wt("project", "list", "--json")
      #expect(p.rows(list.stdout).first?["base"] as? String == "master")
      let apply = try p.wt("apply", "--yes")
      #expect(apply.status == 0, "\(apply.stdout) \(apply.stderr)")
      #expect(try p.git("rev-parse", "wt/\(id)") == (try p.git("rev-parse", "master")))
      #expect(try p.wt("diff").stdout.contains("No changes"))
    }

    @Test func aBaseThatIsNoBranchIsAnErrorWithItsPosition() throws {
      let p = try Playground()
      try Self.edit(p, "path: repo\n", "path: repo\n    base: maim\n")
      let validate = try p.wt("validate")
      #expect(validate.status == 1)
      #expect(validate.stderr.contains("wt.yaml:16:11: error: base 'maim' is not a branch of"), "\(validate.stderr)")
      #expect(validate.stderr.contains("did you mean 'main'?"))
      let apply = try p.wt("apply", "--yes")
      #expect(apply.status == 1)
      #expect(try p.sh(["tmux", "-L", p.socket, "list-sessions"], check: false).stdout.isEmpty)
    }

    @Test func aFeatureBranchCheckoutWithoutBaseAsksForOne() throws {
      let p = try Playground()
      try p.git("checkout", "-qb", "feature")
      // With one usual default branch in the repository, that is the base.
      #expect(try p.wt("validate").status == 0)
      // With none (or several), wt asks.
      try p.git("branch", "-m", "main", "develop")
      let validate = try p.wt("validate")
      #expect(validate.status == 1)
      #expect(validate.stderr.contains("error: cannot tell the default branch of"), "\(validate.stderr)")
      #expect(validate.stderr.contains("set 'base:' on the project"))
      // origin/HEAD decides when it is set.
      try p.git("remote", "add", "origin", p.repo)
      try p.git("fetch", "-q", "origin")
      try p.git("remote", "set-head", "origin", "develop")
      #expect(try p.wt("validate").status == 0)
    }

    @Test func projectAddWritesTheDetectedBase() throws {
      let p = try Playground()
      let other = "\(p.dir)/other"
      try FileManager.default.createDirectory(atPath: other, withIntermediateDirectories: true)
      try p.sh(["git", "init", "-q", "-b", "trunk"], in: other)
      try p.sh(["git", "commit", "-q", "--allow-empty", "-m", "init"], in: other)
      let add = try p.wt("project", "add", other)
      #expect(add.status == 0, "\(add.stderr)")
      let text = try String(contentsOfFile: "\(p.dir)/wt.yaml", encoding: .utf8)
      #expect(text.contains("  other:\n    path: \"\(other)\"\n    base: \"trunk\""), "\(text)")
    }

    /// "Each new worker runs" is said where the plan starts one, not under
    /// "No changes".
    @Test func diffNamesWhatNewWorkersRunOnlyWhenItStartsOne() throws {
      let p = try Playground(gate: "[[\"true\"]]")
      let idle = try p.wt("diff")
      #expect(idle.status == 0, "\(idle.stderr)")
      #expect(idle.stdout.contains("No changes"))
      #expect(!idle.stdout.contains("Each new worker runs"), "\(idle.stdout)")
      _ = try p.bead("Start one")
      let starting = try p.wt("diff")
      #expect(starting.stdout.contains("Plan: 1 to create"))
      #expect(starting.stdout.contains("Each new worker runs:\n  demo: gate: true\n"), "\(starting.stdout)")
      #expect(try p.wt("apply", "--yes").status == 0)
      let converged = try p.wt("diff")
      #expect(converged.stdout.contains("No changes"))
      #expect(!converged.stdout.contains("Each new worker runs"), "\(converged.stdout)")
    }

    /// `projects: {}` is a manifest with no projects yet; adding one once
    /// failed, and its diagnostic named the draft wt writes beside the file.
    @Test func projectAddFillsAnEmptyProjectsMappingAndNamesOnlyTheRealFile() throws {
      let p = try Playground()
      let file = "\(p.dir)/wt.yaml"
      try "version: 1\nsettings:\n  worktree_root: \(p.dir)/worktrees\nprojects: {}\n".write(toFile: file, atomically: true, encoding: .utf8)
      let add = try p.wt("project", "add", p.repo)
      #expect(add.status == 0, "\(add.stderr)")
      let text = try String(contentsOfFile: file, encoding: .utf8)
      #expect(text.hasSuffix("projects:\n  repo:\n    path: \"\(p.repo)\"\n    base: \"main\"\n"), "\(text)")
      #expect(try p.wt("validate").status == 0)

      // A manifest that is already wrong stays as it was, and what is
      // wrong is said at the person's file, never at the draft's.
      try "version: 1\nsettings:\n  worktree_root: \(p.dir)/worktrees\n  max_workers: lots\nprojects: {}\n".write(
        toFile: file, atomically: true, encoding: .utf8)
      let refused = try p.wt("project", "add", p.repo)
      #expect(refused.status == 1)
      #expect(refused.stderr.contains("wt.yaml:4:16: error:"), "\(refused.stderr)")
      #expect(!refused.stderr.contains(".new"), "\(refused.stderr)")
      #expect(try String(contentsOfFile: file, encoding: .utf8).hasSuffix("projects: {}\n"))
      let leftovers = try FileManager.default.contentsOfDirectory(atPath: p.dir).filter { $0.hasPrefix(".wt.yaml") }
      #expect(leftovers.isEmpty)
    }

    @Test func twoProjectsOnOneRepositoryAreRefusedAtBothEntries() throws {
      let p = try Playground()
      try p.git("worktree", "add", "-q", "\(p.dir)/second", "-b", "second")
      let add = try p.wt("project", "add", "\(p.dir)/second", "--name", "other")
      #expect(add.status == 1)
      #expect(add.stderr.contains("is the same repository as project 'demo'"), "\(add.stderr)")
      try Self.edit(p, "projects:\n", "projects:\n  other:\n    path: second\n    base: main\n")
      let validate = try p.wt("validate")
      #expect(validate.status == 1)
      #expect(validate.stderr.contains("wt.yaml:15:11: error: project path \(p.dir)/second is the same repository as project 'demo'"), "\(validate.stderr)")
      #expect(validate.stderr.contains("wt.yaml:18:11: error: project path \(p.dir)/repo is the same repository as project 'other'"))
      #expect(try p.wt("diff").status == 1)
    }
  }
}
