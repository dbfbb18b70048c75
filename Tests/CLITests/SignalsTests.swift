import Foundation
import Testing
import TestSupport

/// `wt auto 2>&1 | tee log` as a shell runs it: both in one process group,
/// so Ctrl-C (SIGINT to the group) ends the reader too, and wt writes its
/// last words to a pipe nobody reads.
struct PipedGroup {
  let wt: pid_t
  let reader: pid_t
  let log: String

  /// Starts `wt ARGS` in a new process group, its stdout and stderr into a
  /// pipe read by `tee LOG`, in the same group. (In the test runner's
  /// folder: the playground's WT_CONFIG names the manifest.)
  init(_ p: Playground, _ args: [String], log: String, reader readerArgv: [String]? = nil) throws {
    self.log = log
    var fds: [Int32] = [0, 0]
    guard pipe(&fds) == 0 else { throw TestError("pipe: \(errno)") }
    defer { close(fds[0]); close(fds[1]) }
    let environment = ProcessInfo.processInfo.environment.merging(p.env) { _, b in b }.map { "\($0)=\($1)" }
    wt = try spawnChild([CLITests.binary] + args, environment: environment, group: 0, dups: [(fds[1], 1), (fds[1], 2)], closing: fds)
    reader = try spawnChild(readerArgv ?? ["/usr/bin/env", "tee", log], environment: environment, group: wt, dups: [(fds[0], 0), (-1, 1)], closing: fds)
  }

  /// Ctrl-C, as a terminal sends it: to every process of the group.
  func interrupt(_ signal: Int32 = SIGINT) { kill(-wt, signal) }

  /// wt's exit status (128 + n when a signal n killed it), then the reader
  /// is reaped.
  func wait() -> Int32 {
    var status: Int32 = 0
    waitpid(wt, &status, 0)
    var ignored: Int32 = 0
    waitpid(reader, &ignored, 0)
    let signal = status & 0x7f
    return signal == 0 ? (status >> 8) & 0xff : 128 + signal
  }

  /// Whether wt has not exited yet. It is not reaped until `wait`, so an
  /// exited wt is a zombie (state Z in /proc) until then.
  var alive: Bool {
    guard let stat = try? String(contentsOfFile: "/proc/\(wt)/stat", encoding: .utf8) else { return kill(wt, 0) == 0 }
    guard let close = stat.lastIndex(of: ")") else { return false }
    return stat[stat.index(close, offsetBy: 2)] != "Z"
  }
}

extension EndToEnd {
  @Suite(.timeLimit(.minutes(5))) struct SignalsTests {
    /// Each time: a line reaches the reader while wt still runs (output to a
    /// pipe is line-buffered), then Ctrl-C to the group ends wt with 130,
    /// never a crash, although its reader died of the same Ctrl-C.
    @Test func ctrlCThroughAPipeExits130TenTimes() throws {
      let p = try Playground(workers: 10)
      var statuses: [Int32] = []
      for round in 1...10 {
        let id = try p.bead("Round \(round)")
        let group = try PipedGroup(p, ["auto", "--interval", "1"], log: "\(p.dir)/tee-\(round).log")
        let lineArrived = try p.wait(seconds: 60) {
          ((try? String(contentsOfFile: group.log, encoding: .utf8)) ?? "").contains("demo/\(id)")
        }
        let alive = group.alive
        group.interrupt()
        statuses.append(group.wait())
        guard lineArrived && alive else {
          Issue.record("round \(round): no line reached the pipe while wt ran")
          break
        }
      }
      #expect(statuses == Array(repeating: 130, count: 10))
    }

    /// `wt auto | head -n 1`: once the reader is gone, wt ends as a program
    /// whose reader went away (SIGPIPE, 141) at its next line, instead of
    /// printing into nothing for ever.
    @Test func autoEndsWhenItsReaderIsGone() throws {
      let p = try Playground(workers: 10)
      _ = try p.bead("First")
      let group = try PipedGroup(p, ["auto", "--interval", "1"], log: "\(p.dir)/unused.log", reader: ["/usr/bin/env", "head", "-n", "1"])
      #expect(try p.wait(seconds: 60) { kill(group.reader, 0) != 0 || Self.isZombie(group.reader) })
      _ = try p.bead("Second")
      #expect(try p.wait(seconds: 60) { !group.alive })
      if group.alive { group.interrupt() }
      #expect(group.wait() == 141)
    }

    static func isZombie(_ pid: pid_t) -> Bool {
      guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else {
        return true
      }
      return stat[stat.index(close, offsetBy: 2)] == "Z"
    }

    /// SIGTERM and SIGHUP end wt as Ctrl-C does, with their own statuses
    /// (143, 129) and a line that says why.
    @Test(arguments: [(SIGTERM, Int32(143), "terminated"), (SIGHUP, Int32(129), "hung up")])
    func terminationAndHangUpExitWithTheirStatus(_ signal: Int32, _ status: Int32, _ word: String) throws {
      let p = try Playground()
      let id = try p.bead("Work")
      let auto = try p.background("auto", "--interval", "1")
      defer { if auto.isRunning { auto.terminate() } }
      #expect(try p.wait(seconds: 60) { p.backgroundLog.contains("demo/\(id)") })
      kill(auto.processIdentifier, signal)
      auto.waitUntilExit()
      #expect(auto.terminationReason == .exit)
      #expect(auto.terminationStatus == status)
      #expect(p.backgroundLog.contains("wt: \(word); run 'wt apply' again to finish"))
    }
  }
}
