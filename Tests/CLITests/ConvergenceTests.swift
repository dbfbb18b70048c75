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
      let rows = p.json(status.stdout) as? [[String: Any]] ?? []
      #expect(rows.map { $0["bead"] as? String } == [id])
      #expect(rows.first?["worktree"] as? String == "\(p.dir)/real-root/demo/\(id)" || rows.first?["worktree"] == nil)
    }
  }
}
