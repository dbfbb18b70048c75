import Foundation
import Testing

extension EndToEnd {
  /// One bad project never blanks the glance: the others' workers are
  /// shown, and the problem is named.
  @Suite struct GlanceTests {
    @Test func projectsWhoseBaseOrFolderIsMissingLeaveTheGlance() throws {
      let p = try Playground()
      let id = try p.bead("Running")
      #expect(try p.wt("apply", "--yes").status == 0)
      let other = "\(p.dir)/other"
      try FileManager.default.createDirectory(atPath: other, withIntermediateDirectories: true)
      try p.sh(["git", "init", "-q", "-b", "main"], in: other)
      try p.sh(["git", "commit", "-q", "--allow-empty", "-m", "init"], in: other)
      let manifest = try String(contentsOfFile: "\(p.dir)/wt.yaml", encoding: .utf8)
      try (manifest + "\n  other:\n    path: other\n    agent: fake\n    base: nope\n  gone:\n    path: gone\n    agent: fake\n").write(
        toFile: "\(p.dir)/wt.yaml", atomically: true, encoding: .utf8)

      let status = try p.wt("status")
      #expect(status.stdout.contains("demo/\(id)"), "\(status.stdout)\(status.stderr)")
      #expect(status.stderr.contains("base 'nope' is not a branch of \(other)"), "\(status.stderr)")
      #expect(status.stderr.contains("'path' names \(p.dir)/gone, which does not exist"), "\(status.stderr)")
      let json = try p.rows("status", "--json")
      #expect(json.map { $0["name"] as? String } == ["demo/\(id)"])
      let watch = try p.wt("watch", "--once")
      #expect(watch.stdout.contains("demo/\(id)") && watch.stdout.contains("base 'nope'"), "\(watch.stdout)\(watch.stderr)")
      let list = try p.wt("project", "list")
      #expect(list.stdout.contains("demo") && list.stdout.contains("other"), "\(list.stdout)\(list.stderr)")
      #expect(list.stderr.contains("base 'nope'"))
      let ready = try p.wt("ready")
      #expect(ready.stderr.contains("base 'nope'"), "\(ready.stdout)\(ready.stderr)")
      #expect(!ready.stderr.contains("error in"))
      // What acts on the world still refuses the file.
      #expect(try p.wt("apply", "--yes").status == 1)
    }
  }
}
