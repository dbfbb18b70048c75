import Foundation
import Testing

/// The manifest that declared a worker is the one wt reads about it, even
/// where the repository's own wt.yaml sits in the current folder (issue 13).
extension EndToEnd {
  @Suite struct RightManifestTests {
    /// A playground whose repository commits its own `project:` file, so
    /// every worktree holds one too.
    func playground() throws -> Playground {
      let p = try Playground()
      try "version: 1\nproject:\n  workers: 1\n".write(toFile: "\(p.repo)/wt.yaml", atomically: true, encoding: .utf8)
      try p.git("add", "wt.yaml")
      try p.git("commit", "-qm", "the repository's own wt.yaml")
      p.env["XDG_CONFIG_HOME"] = "\(p.dir)/.config"
      return p
    }

    @Test func insideAWorktreeTheWorkersManifestDecides() throws {
      let p = try playground()
      let id = try p.bead("Inside")
      #expect(try p.wt("apply", "--yes").status == 0)
      let tree = p.worktree(id)
      #expect(p.exists("\(tree)/wt.yaml"))
      // A person's shell in the worktree: no WT_CONFIG, no WT_WORKER.
      p.env["WT_CONFIG"] = ""

      let validate = try p.wt("validate", in: tree)
      #expect(validate.status == 0, "\(validate.stderr)")
      #expect(validate.stdout.contains("reading \(p.dir)/wt.yaml: the manifest that declared worker demo/\(id)"), "\(validate.stdout)")
      let status = try p.rows("status", "--json", in: tree)
      #expect(status.map { $0["project"] as? String } == ["demo"])
      #expect(status.first?["status"] as? String != "done")
      let diff = try p.wt("diff", in: tree)
      #expect(diff.stdout.contains("No changes"), "\(diff.stdout) \(diff.stderr)")

      try "work\n".write(toFile: "\(tree)/work.txt", atomically: true, encoding: .utf8)
      try p.git("add", "work.txt", in: tree)
      try p.git("commit", "-qm", "work", in: tree)
      let done = try p.wt("done", in: tree)
      #expect(done.status == 0, "\(done.stdout) \(done.stderr)")
      #expect(try p.show(id)["status"] as? String == "closed")
    }

    @Test func theRepositorysFileIsAFragmentOfThePersonsManifest() throws {
      let p = try playground()
      let config = "\(p.dir)/.config/wt"
      try FileManager.default.createDirectory(atPath: config, withIntermediateDirectories: true)
      let mine = try String(contentsOfFile: "\(p.dir)/wt.yaml", encoding: .utf8)
        .replacingOccurrences(of: "path: repo", with: "path: \(p.repo)")
      try mine.write(toFile: "\(config)/wt.yaml", atomically: true, encoding: .utf8)
      p.env["WT_CONFIG"] = ""

      let validate = try p.wt("validate")
      #expect(validate.status == 0, "\(validate.stderr)")
      #expect(validate.stdout.contains("reading \(config)/wt.yaml: your manifest, which declares this repository"), "\(validate.stdout)")
      #expect(validate.stdout.contains("1 project (demo)"))
      // A repository the person's manifest does not declare keeps its file.
      try FileManager.default.removeItem(atPath: "\(config)/wt.yaml")
      let alone = try p.wt("validate")
      #expect(alone.stdout.contains("reading \(p.repo)/wt.yaml: ./wt.yaml in the current folder"), "\(alone.stdout)")
    }
  }
}
