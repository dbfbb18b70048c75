import Foundation
import Reconciler
import Testing
import TestSupport

/// The SSH rig itself, through a real sshd on 127.0.0.1: what wt's
/// transport will rely on (quoting that survives the login shell, the
/// host's own HOME, one multiplexed connection) and the faults the host
/// tests make (a killed connection, a host that is down).
extension EndToEnd {
  @Suite(.enabled(if: SSHServer.supported, "the SSH rig needs Linux (/proc)"), .tags(.ssh), .timeLimit(.minutes(5)))
  struct SSHServerTests {
    static func nulTerminated(_ words: [String]) -> [UInt8] { words.flatMap { Array($0.utf8) + [0] } }

    /// Connections sshd accepted so far (one "Accepted publickey" line each).
    static func logins(_ server: SSHServer) -> Int {
      server.sshdLog.components(separatedBy: "Accepted publickey").count - 1
    }

    func master(_ server: SSHServer) -> [String] {
      ["-o", "ControlMaster=auto", "-o", "ControlPath=\(server.dir)/cm", "-o", "ControlPersist=30"]
    }

    @Test func hostileWordsSurviveTheLoginShell() throws {
      let server = try SSHServer()
      let marker = "\(server.remoteHome)/pwned"
      let ids = try HostileTests.corpus("hostile-ids.json", marker: marker)
      var words = try HostileTests.corpus("hostile-texts.json", marker: marker).texts! + ids.valid! + ids.hostile!
      words += ["", "'", "\"", "\\", "a\nb", "$(touch \(marker))", "`touch \(marker)`", "$HOME", "-n", "~", "*", "grüße 日本語 🧪"]
      // Neither an argument nor the command line ssh sends can hold NUL.
      words = words.filter { !$0.contains("\0") }

      let argv = try server.ssh(RemoteShell.command(["printf", "%s\\0"] + words))
      #expect(argv.status == 0, "\(argv.stderr)")
      #expect(Array(argv.stdout.utf8) == Self.nulTerminated(words))

      var environment: [String: String] = [:]
      for (i, word) in words.enumerated() { environment["X\(i)"] = word }
      let script = "printf '%s\\0'" + words.indices.map { " \"$X\($0)\"" }.joined()
      let env = try server.ssh(RemoteShell.command(["sh", "-c", script], environment: environment))
      #expect(env.status == 0, "\(env.stderr)")
      #expect(Array(env.stdout.utf8) == Self.nulTerminated(words))

      let folder = "\(server.remoteHome)/it's a \"dir\" $(x)"
      try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
      let pwd = try server.ssh(RemoteShell.command(["sh", "-c", "printf %s \"$PWD\""], directory: folder))
      #expect(pwd.status == 0 && pwd.stdout == folder, "\(pwd.stderr)")
      #expect(!FileManager.default.fileExists(atPath: marker))
    }

    @Test func theHostHasItsOwnHomePathAndLocale() throws {
      let bin = "\(CLITests.root)/Tests/Support"
      let server = try SSHServer(path: [bin])
      let run = try server.ssh(RemoteShell.command(["sh", "-c", "printf '%s\\n' \"$HOME\" \"$PATH\" \"$LANG\" \"$USER\""]))
      #expect(run.status == 0, "\(run.stderr)")
      let lines = run.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
      #expect(lines.count >= 4)
      #expect(lines.first == server.remoteHome)
      #expect(lines.dropFirst().first?.hasPrefix("\(bin):") == true, "\(lines)")
      #expect(lines.dropFirst(2).first == "C.UTF-8")
      #expect(lines.dropFirst(3).first == server.user)
      #expect(server.destination == "\(server.user)@127.0.0.1")
      // `~` in a remote command is the host's HOME too.
      let tilde = try server.ssh("printf %s ~")
      #expect(tilde.stdout == server.remoteHome)
    }

    @Test func oneControlMasterCarriesEveryCall() throws {
      let server = try SSHServer()
      defer { _ = try? server.sshControl("exit", options: master(server)) }
      let first = try server.ssh("echo one", options: master(server))
      #expect(first.status == 0 && first.stdout == "one\n", "\(first.stderr)")
      #expect(FileManager.default.fileExists(atPath: "\(server.dir)/cm"))
      let check = try server.sshControl("check", options: master(server))
      #expect(check.status == 0 && check.stderr.contains("Master running"), "\(check.stderr)")
      let logins = Self.logins(server)
      for i in 0..<3 {
        let again = try server.ssh("echo \(i)", options: master(server))
        #expect(again.status == 0 && again.stdout == "\(i)\n", "\(again.stderr)")
      }
      // No new connection: the calls went through the master's.
      #expect(Self.logins(server) == logins)
    }

    @Test func aKilledConnectionIsMadeAgain() throws {
      let server = try SSHServer()
      defer { _ = try? server.sshControl("exit", options: master(server)) }
      #expect(try server.ssh("true", options: master(server)).status == 0)
      #expect(try server.sshControl("check", options: master(server)).status == 0)

      // A call in flight when its connection goes.
      let inFlight = Thread.detachedResult {
        try? server.ssh("echo $$ > ~/in-flight.pid; exec sleep 20", options: master(server))
      }
      // In flight once it has run on the host, not after a fixed time.
      let running = "\(server.remoteHome)/in-flight.pid"
      let deadline = Date().addingTimeInterval(10)
      while !FileManager.default.fileExists(atPath: running) && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
      #expect(FileManager.default.fileExists(atPath: running))
      server.killConnections()
      // Cut, not run out: within 10 s of a 20 s command.
      let cut = inFlight.wait(seconds: 10)
      #expect(cut != nil && cut!.status != 0, "\(String(describing: cut))")

      // The master went with it; the next call makes a new one.
      let logins = Self.logins(server)
      let again = try server.ssh("echo back", options: master(server))
      #expect(again.status == 0 && again.stdout == "back\n", "\(again.stderr)")
      #expect(Self.logins(server) == logins + 1)
      #expect(try server.sshControl("check", options: master(server)).status == 0)
      #expect(try server.ssh("echo plain").stdout == "plain\n")
    }

    @Test func aHostThatIsDownFailsFastAndComesBack() throws {
      let server = try SSHServer()
      defer { _ = try? server.sshControl("exit", options: master(server)) }
      #expect(try server.ssh("true", options: master(server)).status == 0)
      server.stop()

      let started = Date()
      let down = try server.ssh("true", options: ["-o", "ConnectTimeout=2"])
      #expect(down.status == 255, "\(down.stderr)")
      #expect(Date().timeIntervalSince(started) < 3)
      // The established connection went down with the host.
      #expect(try server.sshControl("check", options: master(server)).status != 0)
      let viaMaster = try server.ssh("true", options: master(server) + ["-o", "ConnectTimeout=2"])
      #expect(viaMaster.status == 255)

      try server.start()
      let back = try server.ssh("echo up", options: master(server))
      #expect(back.status == 0 && back.stdout == "up\n", "\(back.stderr)")
    }

    @Test func everythingItStartedEndsWithIt() throws {
      var dir = ""
      var pids: [pid_t] = []
      do {
        let server = try SSHServer()
        dir = server.dir
        // The host's default tmux server is the rig's own.
        let tmux = try server.ssh("tmux new-session -d -s rig 'sleep 300' && tmux display -p '#{pid} #{socket_path}'")
        let fields = tmux.stdout.split(separator: " ").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        #expect(tmux.status == 0 && fields.count == 2, "\(tmux.stdout) \(tmux.stderr)")
        #expect(fields.last?.hasPrefix("\(server.dir)/tmux/") == true)
        pids += fields.first.flatMap { pid_t($0) }.map { [$0] } ?? []
        // A command whose connection is killed keeps running, as on a
        // real host; the rig still ends it.
        let inFlight = Thread.detachedResult { try? server.ssh("echo $$ > ~/sleep.pid; exec sleep 30") }
        var sleeper: pid_t?
        for _ in 0..<200 where sleeper == nil {
          sleeper = (try? String(contentsOfFile: "\(server.remoteHome)/sleep.pid", encoding: .utf8))
            .flatMap { pid_t($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
          Thread.sleep(forTimeInterval: 0.02)
        }
        server.killConnections()
        #expect(inFlight.wait(seconds: 5) != nil)
        #expect(sleeper.map { ProcessEntry(pid: $0)?.state ?? "Z" } != "Z", "the command outlives its connection")
        pids += sleeper.map { [$0] } ?? []
        #expect(pids.count == 2)
      }
      #expect(!FileManager.default.fileExists(atPath: dir))
      for pid in pids {
        let state = ProcessEntry(pid: pid)?.state ?? "Z"
        #expect(state == "Z" || state == "X", "\(pid) still runs")
      }
    }
  }
}

extension EndToEnd.SSHServerTests {
  /// What a remote wt leaves on a host: a tmux server on the socket the
  /// manifest names (`~/tmux.sock`, outside `TMUX_TMPDIR`) with an agent
  /// in its pane, and a process that left its session. The rig ends them
  /// all, even when the test removed their folder first.
  @Test func aHostsTmuxServerOnAnySocketEndsWithTheRigEvenWithItsFolderGone() throws {
    var dir = ""
    var pids: [pid_t] = []
    do {
      let server = try SSHServer()
      dir = server.dir
      let socket = "\(server.remoteHome)/tmux.sock"
      let tmux = try server.ssh(
        "tmux -S \(socket) new-session -d -s w 'sleep 300' && tmux -S \(socket) display -p '#{pid} #{pane_pid}'")
      #expect(tmux.status == 0, "\(tmux.stderr)")
      pids += tmux.stdout.split(whereSeparator: \.isWhitespace).compactMap { pid_t($0) }
      let detached = try server.ssh("setsid sh -c 'echo $$ > ~/detached.pid; exec sleep 300' </dev/null >/dev/null 2>&1 &")
      #expect(detached.status == 0, "\(detached.stderr)")
      let deadline = Date().addingTimeInterval(10)
      var loner: pid_t?
      while loner == nil && Date() < deadline {
        loner = (try? String(contentsOfFile: "\(server.remoteHome)/detached.pid", encoding: .utf8))
          .flatMap { pid_t($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        if loner == nil { Thread.sleep(forTimeInterval: 0.02) }
      }
      pids += loner.map { [$0] } ?? []
      try #require(pids.count == 3, "tmux: \(tmux.stdout), detached: \(String(describing: loner))")
      let started = Set(server.processesItStarted().map(\.pid))
      #expect(Set(pids).isSubset(of: started), "\(pids) among \(started)")
      try FileManager.default.removeItem(atPath: server.remoteHome)
    }
    #expect(SSHServer.processesStarted(by: dir).isEmpty)
    for pid in pids {
      let state = ProcessEntry(pid: pid)?.state ?? "X"
      #expect(state == "Z" || state == "X", "\(pid) still runs")
    }
    #expect(!FileManager.default.fileExists(atPath: dir))
  }
}

/// A value computed on a thread of its own, waited for with a bound.
final class DetachedResult<T>: @unchecked Sendable {
  private let done = DispatchSemaphore(value: 0)
  private var value: T?
  fileprivate init() {}
  fileprivate func set(_ v: T?) {
    value = v
    done.signal()
  }
  /// The value, or nil if it took longer than `seconds`.
  func wait(seconds: Double) -> T? {
    done.wait(timeout: .now() + seconds) == .success ? value : nil
  }
}

extension Thread {
  static func detachedResult<T>(_ body: @escaping @Sendable () -> T?) -> DetachedResult<T> {
    let result = DetachedResult<T>()
    Thread.detachNewThread { result.set(body()) }
    return result
  }
}
