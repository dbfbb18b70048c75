import Foundation
import Testing

extension EndToEnd {
  /// wt's state cannot be written (a full disk, a folder in the way): a
  /// command either changes nothing or says exactly what it did.
  @Suite struct FullDiskTests {
    /// The state's lock cannot be opened (here a folder stands in its
    /// place), as a write fails on a full disk.
    @Test func abandonThatCannotRecordChangesNothing() throws {
      let p = try Playground()
      let id = try p.bead("Keep me")
      #expect(try p.wt("apply", "--yes").status == 0)
      let lock = "\(p.dir)/state/state.lock"
      try? FileManager.default.removeItem(atPath: lock)
      try FileManager.default.createDirectory(atPath: lock, withIntermediateDirectories: true)
      let abandon = try p.wt("abandon", id)
      #expect(abandon.status == 1)
      #expect(abandon.stderr.contains("cannot record that demo/\(id) is abandoned"), "\(abandon.stderr)")
      #expect(abandon.stderr.contains("Nothing was changed."))
      #expect(try p.sh(["tmux", "-L", p.socket, "has-session", "-t", "=wt-demo__\(id)"], check: false).status == 0)
      #expect(try p.show(id)["status"] as? String == "in_progress")
      try FileManager.default.removeItem(atPath: lock)
      #expect(try p.wt("abandon", id).status == 0)
      #expect(try p.show(id)["status"] as? String == "open")
    }

    /// A state folder that is a file: a sentence that names it and says
    /// what to do, never Foundation's dictionary dump.
    @Test func aStateFolderThatIsAFileIsASentence() throws {
      let p = try Playground()
      _ = try p.bead("Work")
      try "not a folder".write(toFile: "\(p.dir)/blocked", atomically: true, encoding: .utf8)
      for state in ["\(p.dir)/blocked", "\(p.dir)/blocked/state"] {
        p.env["WT_STATE_DIR"] = state
        for args in [["apply", "--yes"], ["status"], ["signal", "stop"], ["status", "--attention"]] {
          let run = try p.sh([CLITests.binary] + args, check: false)
          #expect(run.status == 1)
          #expect(!run.stderr.contains("NS"), "\(args): \(run.stderr)")
          #expect(run.stderr.contains("\(p.dir)/blocked is a file, not a folder; move it away"), "\(args): \(run.stderr)")
        }
      }
    }
  }
}
