import Foundation
import Testing

extension EndToEnd {
  @Suite(.timeLimit(.minutes(3))) struct SignalFileTests {
    /// `wt signal -f FILE` goes through the argument parser (the hooks'
    /// bare `wt signal EVENT` skips it) and tells the person through the
    /// notify of the manifest it names, not that of the one that declared
    /// the worker (which has none here).
    @Test func signalTakesTheManifestItsNotifyComesFrom() throws {
      let p = try Playground()
      let id = try p.bead("Ask")
      #expect(try p.wt("apply", "--yes").status == 0)
      let log = "\(p.dir)/notified"
      try String(contentsOfFile: "\(p.dir)/wt.yaml", encoding: .utf8).replacingOccurrences(
        of: "settings:\n",
        with: "settings:\n  notify: [\(CLITests.root)/Tests/Support/record-args, \(log), \"{{worker.name}}\", \"{{worker.status}}\", \"{{worker.message}}\"]\n"
      ).write(toFile: "\(p.dir)/notifying.yaml", atomically: true, encoding: .utf8)
      let signal = try p.wt("signal", "-f", "notifying.yaml", "--worker", "demo/\(id)", "needs-input", "EUR or USD?", in: p.dir)
      #expect(signal.status == 0, "\(signal.stderr)")
      #expect(try p.wait(seconds: 10) { ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").hasSuffix("\n") })
      #expect((try? String(contentsOfFile: log, encoding: .utf8)) == "demo/\(id)|needs-input|EUR or USD?\n")
      #expect(try p.rows("status", "--json").first?["status"] as? String == "needs-input")
    }
  }
}
