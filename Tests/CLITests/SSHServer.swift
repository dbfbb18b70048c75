import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A real OpenSSH server on 127.0.0.1 playing a remote host, for the
/// end-to-end tests of `hosts:`.
///
/// The "remote machine" is this machine and the current user (sshd logs in
/// the user running the tests, `root` in the container), made separate by
/// what sshd's `SetEnv` gives every session: its own HOME (`remoteHome`),
/// PATH (the given folders, then the system's), `LANG=C.UTF-8` and
/// `TMUX_TMPDIR`, so the remote default tmux server is the rig's own. The
/// session starts in the user's home from the password file, not in
/// `remoteHome`; `~` and `$HOME` are `remoteHome`.
///
/// Everything lives in one temporary folder under /tmp (short, because
/// ssh's control sockets and tmux's sockets must fit in a socket address):
/// keys, `sshd_config`, `ssh_config`, known_hosts, sshd's log. Nothing
/// touches ~/.ssh, the default tmux server or any process the rig did not
/// start; processes are found by their parent through /proc, never by name.
/// Linux only (/proc).
///
/// Every process the rig starts is a `Child` (posix_spawn), never a
/// Foundation `Process`: sshd and ssh close the descriptors they inherit,
/// and Process on Linux takes that as its child's exit and blocks its one
/// manager thread in `waitpid` until the child really exits, which for
/// sshd is never, and meanwhile no other Process in the test run is seen
/// to end.
final class SSHServer: @unchecked Sendable {
  /// The rig's temporary folder.
  let dir: String
  /// HOME of every session on the "host".
  let remoteHome: String
  /// The client config, for `ssh -F configFile` (it names the key, the
  /// known hosts file and `BatchMode`).
  let configFile: String
  /// The login user: the user running the tests.
  let user: String
  /// The port sshd listens on, the same across `stop()` and `start()`.
  let port: Int
  /// `user@127.0.0.1`.
  var destination: String { "\(user)@127.0.0.1" }

  /// Where the rig runs: it walks /proc. (On Linux a missing sshd is an
  /// error, not a reason to skip: CI installs it.)
  #if os(Linux)
    static let supported = true
  #else
    static let supported = false
  #endif

  private let sshdConfig: String
  private let log: String
  private var listener: Child?
  /// Remote commands left running by `killConnections()` (a dropped
  /// connection does not end them), ended by `deinit`.
  private var orphans: [ProcessEntry] = []
  private var calls = 0
  private let lock = NSLock()

  /// Generates the keys and configs and starts sshd. `path` folders come
  /// first on the sessions' PATH (test doubles, a wt binary).
  init(path: [String] = []) throws {
    dir = "/tmp/wt-ssh-\(UUID().uuidString.prefix(8))"
    remoteHome = "\(dir)/home"
    configFile = "\(dir)/ssh_config"
    sshdConfig = "\(dir)/sshd_config"
    log = "\(dir)/sshd.log"
    user = Self.currentUser()
    let fm = FileManager.default
    try fm.createDirectory(atPath: remoteHome, withIntermediateDirectories: true)
    try fm.createDirectory(atPath: "\(dir)/tmux", withIntermediateDirectories: true)
    do {
      for key in ["host_key", "client_key"] {
        try Self.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "wt-test-\(key)", "-f", "\(dir)/\(key)"])
      }
      try fm.copyItem(atPath: "\(dir)/client_key.pub", toPath: "\(dir)/authorized_keys")
      port = try Self.freePort()
      let sessionPath = (path + ["/usr/local/bin", "/usr/bin", "/bin"]).joined(separator: ":")
      for value in [remoteHome, sessionPath, dir] where value.contains(where: { $0 == " " || $0 == "\"" || $0 == "\n" }) {
        throw TestError("SSHServer: '\(value)' cannot be written into sshd_config unquoted")
      }
      try """
        ListenAddress 127.0.0.1
        Port \(port)
        HostKey \(dir)/host_key
        PidFile \(dir)/sshd.pid
        PasswordAuthentication no
        KbdInteractiveAuthentication no
        UsePAM no
        StrictModes no
        AuthorizedKeysFile \(dir)/authorized_keys
        PermitRootLogin prohibit-password
        Subsystem sftp /usr/lib/openssh/sftp-server
        SetEnv HOME=\(remoteHome) PATH=\(sessionPath) LANG=C.UTF-8 TMUX_TMPDIR=\(dir)/tmux

        """.write(toFile: sshdConfig, atomically: true, encoding: .utf8)
      try """
        UserKnownHostsFile \(dir)/known_hosts
        StrictHostKeyChecking accept-new
        IdentitiesOnly yes
        IdentityFile \(dir)/client_key
        BatchMode yes
        LogLevel ERROR

        """.write(toFile: configFile, atomically: true, encoding: .utf8)
      try start()
    } catch {
      try? fm.removeItem(atPath: dir)
      throw error
    }
  }

  deinit {
    stop()
    // Whatever still runs that the rig's sessions started: commands a
    // killed connection left behind, and the remote tmux servers.
    for entry in orphans where entry.isSameProcessAlive { kill(entry.pid, SIGKILL) }
    let sockets = "\(dir)/tmux/tmux-\(getuid())"
    for name in (try? FileManager.default.contentsOfDirectory(atPath: sockets)) ?? [] {
      _ = try? Self.run(["tmux", "-S", "\(sockets)/\(name)", "kill-server"], check: false)
    }
    try? FileManager.default.removeItem(atPath: dir)
  }

  /// Starts sshd (again, after `stop()`) on `port` and waits until it
  /// accepts a connection.
  func start() throws {
    lock.lock()
    defer { lock.unlock() }
    guard listener == nil else { return }
    // sshd refuses to start without its privilege separation folder (on
    // /run, so gone after a reboot; scripts/install-deps --tests makes it too).
    if !FileManager.default.fileExists(atPath: "/run/sshd") {
      try FileManager.default.createDirectory(
        atPath: "/run/sshd", withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
    }
    guard FileManager.default.isExecutableFile(atPath: "/usr/sbin/sshd") else {
      throw TestError("SSHServer: /usr/sbin/sshd is missing; scripts/install-deps --tests installs openssh-server")
    }
    // sshd wants to be started by its absolute path (it re-executes itself).
    let logged = sshdLog.utf8.count
    let p = try Child(["/usr/sbin/sshd", "-D", "-e", "-f", sshdConfig], stdout: log, stderr: log)
    let deadline = Date().addingTimeInterval(10)
    while true {
      if let status = p.exitStatus() {
        throw TestError("SSHServer: sshd exited (\(status)) before it listened on port \(port):\n\(sshdLog)")
      }
      // Listening, by its own word (so not some other program that took
      // the port since it was picked), and accepting.
      let said = String(decoding: sshdLog.utf8.dropFirst(logged), as: UTF8.self)
      if said.contains("Server listening on 127.0.0.1 port \(port).") && Self.accepts(port: port) { break }
      if Date() > deadline {
        p.kill()
        throw TestError("SSHServer: sshd did not accept a connection on port \(port) within 10 s:\n\(sshdLog)")
      }
      Thread.sleep(forTimeInterval: 0.02)
    }
    listener = p
  }

  /// "Host down": the listener and every connection through it end (their
  /// sshd processes are killed; the commands they ran are left running, as
  /// on a host whose network went away). `start()` brings it back.
  func stop() {
    lock.lock()
    defer { lock.unlock() }
    guard let p = listener else { return }
    listener = nil
    // Stopped, the listener accepts no connection while its children are
    // counted and ended; then it goes too.
    kill(p.pid, SIGSTOP)
    endConnections(of: p.pid)
    p.kill()
  }

  /// "Stopped answering": the listener and every connection's sshd are
  /// stopped (SIGSTOP), so connections stay open and nothing answers on
  /// them, as on a host that hangs or a network that drops every packet.
  /// `thaw()` lets them go on.
  func freeze() {
    lock.withLock {
      guard let p = listener else { return }
      kill(p.pid, SIGSTOP)
      for entry in ProcessEntry.descendants(of: p.pid) where entry.isSSHD { kill(entry.pid, SIGSTOP) }
    }
  }

  func thaw() {
    lock.withLock {
      guard let p = listener else { return }
      for entry in ProcessEntry.descendants(of: p.pid) where entry.isSSHD { kill(entry.pid, SIGCONT) }
      kill(p.pid, SIGCONT)
    }
  }

  /// "Connection killed": ends the sshd processes of every established
  /// connection (so every ssh client and ControlMaster on them sees its
  /// connection drop), leaving the listener up for new connections.
  func killConnections() {
    lock.lock()
    defer { lock.unlock() }
    guard let p = listener else { return }
    endConnections(of: p.pid)
  }

  /// The sshd processes under the listener, killed and waited for (a zombie
  /// counts as gone: nothing reaps orphans in the container). The remote
  /// commands among the descendants are remembered for `deinit`.
  private func endConnections(of listener: pid_t) {
    let descendants = ProcessEntry.descendants(of: listener)
    let sshd = descendants.filter(\.isSSHD)
    orphans += descendants.filter { !$0.isSSHD }
    for entry in sshd { kill(entry.pid, SIGKILL) }
    let deadline = Date().addingTimeInterval(5)
    while sshd.contains(where: \.isSameProcessAlive), Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
  }

  /// What sshd wrote (its log goes to stderr with `-e`).
  var sshdLog: String { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }

  /// `ssh -F configFile -p port [options…] destination remoteCommand`, stdin
  /// from /dev/null, killed after `timeout` seconds (stderr then says so).
  func ssh(_ remoteCommand: String, options: [String] = [], timeout: Double = 20) throws -> (
    status: Int32, stdout: String, stderr: String
  ) {
    try runSSH(options + [destination, remoteCommand], timeout: timeout)
  }

  /// `ssh -F configFile -p port -O operation [options…] destination`: asks a
  /// ControlMaster (named by a `ControlPath` option) to `check`, `exit`…
  func sshControl(_ operation: String, options: [String] = [], timeout: Double = 20) throws -> (
    status: Int32, stdout: String, stderr: String
  ) {
    try runSSH(["-O", operation] + options + [destination], timeout: timeout)
  }

  /// Output goes through files, so an ssh that leaves a ControlPersist
  /// master behind cannot hold a pipe open.
  private func runSSH(_ arguments: [String], timeout: Double) throws -> (status: Int32, stdout: String, stderr: String) {
    let n = lock.withLock {
      calls += 1
      return calls
    }
    let out = "\(dir)/ssh-\(n).out", err = "\(dir)/ssh-\(n).err"
    _ = FileManager.default.createFile(atPath: out, contents: nil)
    _ = FileManager.default.createFile(atPath: err, contents: nil)
    defer {
      try? FileManager.default.removeItem(atPath: out)
      try? FileManager.default.removeItem(atPath: err)
    }
    var environment = ProcessInfo.processInfo.environment
    environment["SSH_AUTH_SOCK"] = nil
    let p = try Child(["ssh", "-F", configFile, "-p", "\(port)"] + arguments, stdout: out, stderr: err, environment: environment)
    let deadline = Date().addingTimeInterval(timeout)
    var status: Int32? = nil
    while status == nil {
      if Date() > deadline { break }
      Thread.sleep(forTimeInterval: 0.005)
      status = p.exitStatus()
    }
    if status == nil { status = p.kill() }
    let stdout = String(decoding: (try? Data(contentsOf: URL(fileURLWithPath: out))) ?? Data(), as: UTF8.self)
    var stderr = String(decoding: (try? Data(contentsOf: URL(fileURLWithPath: err))) ?? Data(), as: UTF8.self)
    if Date() > deadline { stderr += "\nSSHServer: ssh killed after \(timeout) s" }
    return (status!, stdout, stderr)
  }

  // MARK: - Helpers

  static func currentUser() -> String {
    guard let entry = getpwuid(getuid()), let name = entry.pointee.pw_name else { return "root" }
    return String(cString: name)
  }

  /// A port nothing listens on now (the kernel's pick for port 0).
  static func freePort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw TestError("SSHServer: socket() failed") }
    defer { close(fd) }
    var addr = loopback(port: 0)
    let bound = withUnsafePointer(to: &addr) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard bound == 0 else { throw TestError("SSHServer: bind() failed") }
    var len = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &addr) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
    }
    return Int(UInt16(bigEndian: addr.sin_port))
  }

  /// Whether something accepts a TCP connection on 127.0.0.1:`port`.
  static func accepts(port: Int) -> Bool {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    var addr = loopback(port: port)
    return withUnsafePointer(to: &addr) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    } == 0
  }

  static func loopback(port: Int) -> sockaddr_in {
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_port = UInt16(port).bigEndian
    addr.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
    return addr
  }

  /// Runs argv to its end (a short command: ssh-keygen, tmux kill-server);
  /// its output, both streams.
  @discardableResult
  static func run(_ argv: [String], check: Bool = true) throws -> String {
    let out = "/tmp/wt-ssh-run-\(UUID().uuidString.prefix(8))"
    defer { try? FileManager.default.removeItem(atPath: out) }
    let child = try Child(argv, stdout: out, stderr: out)
    var status = child.exitStatus()
    let deadline = Date().addingTimeInterval(30)
    while status == nil && Date() < deadline {
      Thread.sleep(forTimeInterval: 0.005)
      status = child.exitStatus()
    }
    if status == nil { status = child.kill() }
    let text = (try? String(contentsOfFile: out, encoding: .utf8)) ?? ""
    if check && status != 0 {
      throw TestError("\(argv.joined(separator: " ")) failed (\(status!)): \(text)")
    }
    return text
  }
}

/// A child process started with posix_spawn: stdin from /dev/null, stdout
/// and stderr appended to files, no other descriptor of the test run
/// inherited (a pipe of another test held open by sshd would never reach
/// its end), in a process group of its own. Reaped by `exitStatus()` or
/// `kill()`, nothing else.
final class Child: @unchecked Sendable {
  let pid: pid_t
  private var status: Int32?

  /// `argv[0]` is looked up on this process's PATH.
  init(_ argv: [String], stdout: String, stderr: String, environment: [String: String]? = nil) throws {
    #if os(Linux)
      var actions = posix_spawn_file_actions_t()
      posix_spawn_file_actions_init(&actions)
      defer { posix_spawn_file_actions_destroy(&actions) }
      posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
      posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_APPEND, 0o644)
      if stderr == stdout {
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
      } else {
        posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_APPEND, 0o644)
      }
      // glibc 2.34's posix_spawn_file_actions_addclosefrom_np, which Swift's
      // Glibc module does not declare; else every descriptor open now.
      typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
      if let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") {
        _ = unsafeBitCast(symbol, to: CloseFrom.self)(&actions, 3)
      } else {
        let open = ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []).compactMap { Int32($0) }
        for fd in open where fd > 2 { posix_spawn_file_actions_addclose(&actions, fd) }
      }
      var attributes = posix_spawnattr_t()
      posix_spawnattr_init(&attributes)
      defer { posix_spawnattr_destroy(&attributes) }
      var none = sigset_t()
      sigemptyset(&none)
      var defaults = sigset_t()
      sigemptyset(&defaults)
      sigaddset(&defaults, SIGPIPE)
      posix_spawnattr_setsigmask(&attributes, &none)
      posix_spawnattr_setsigdefault(&attributes, &defaults)
      posix_spawnattr_setpgroup(&attributes, 0)
      posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP))
      let env = (environment ?? ProcessInfo.processInfo.environment).map { "\($0)=\($1)" }
      let cArgv = argv.map { strdup($0) } + [nil]
      let cEnv = env.map { strdup($0) } + [nil]
      defer {
        cArgv.forEach { free($0) }
        cEnv.forEach { free($0) }
      }
      var pid = pid_t()
      let error = posix_spawnp(&pid, argv[0], &actions, &attributes, cArgv, cEnv)
      guard error == 0 else { throw TestError("\(argv[0]): cannot start it: \(String(cString: strerror(error)))") }
      self.pid = pid
    #else
      throw TestError("Child: Linux only")
    #endif
  }

  /// The exit status if it has ended (reaping it): the code, or 128 plus
  /// the signal that ended it, as a shell reports it.
  func exitStatus() -> Int32? {
    if let status { return status }
    var raw: Int32 = 0
    let r = waitpid(pid, &raw, WNOHANG)
    guard r == pid else { return r == -1 && errno == ECHILD ? -1 : nil }
    status = (raw & 0x7F) == 0 ? (raw >> 8) & 0xFF : 128 + (raw & 0x7F)
    return status
  }

  /// Kills it (SIGKILL) unless it has ended, and reaps it.
  @discardableResult
  func kill() -> Int32 {
    if let status = exitStatus() { return status }
    _ = Foundation.kill(pid, SIGKILL)
    var raw: Int32 = 0
    while waitpid(pid, &raw, 0) == -1 && errno == EINTR {}
    status = (raw & 0x7F) == 0 ? (raw >> 8) & 0xFF : 128 + (raw & 0x7F)
    return status!
  }
}

/// One line of /proc/PID/stat: enough to walk the process tree and to tell
/// a process from a later one with the same PID.
struct ProcessEntry: Equatable {
  var pid: pid_t
  var parent: pid_t
  var state: Character
  var startTime: UInt64

  init?(pid: pid_t) {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
      let close = stat.lastIndex(of: ")")
    else { return nil }
    // The command name (in parentheses) may hold spaces and parentheses:
    // the fields are counted from after the last ')'.
    let fields = stat[stat.index(after: close)...].split(separator: " ")
    guard fields.count > 19, let state = fields[0].first, let parent = pid_t(fields[1]),
      let start = UInt64(fields[19])
    else { return nil }
    self.pid = pid
    self.parent = parent
    self.state = state
    self.startTime = start
  }

  /// Alive and still the same process: a zombie (`Z`) or a dead one (`X`)
  /// is gone, since nothing reaps orphans here and `kill -0` succeeds on a
  /// zombie.
  var isSameProcessAlive: Bool {
    guard let now = ProcessEntry(pid: pid), now.startTime == startTime else { return false }
    return now.state != "Z" && now.state != "X"
  }

  /// A process running sshd's binary: the per-connection processes below
  /// the listener run /usr/sbin/sshd (OpenSSH 9.8 and later run
  /// sshd-session and sshd-auth from /usr/lib/openssh). Only ever asked of
  /// the listener's descendants.
  var isSSHD: Bool {
    guard let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/exe") else { return false }
    return exe == "/usr/sbin/sshd" || exe.hasPrefix("/usr/lib/openssh/sshd-")
  }

  /// Every live process below `root`, from one read of /proc.
  static func descendants(of root: pid_t) -> [ProcessEntry] {
    let all = ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [])
      .compactMap { pid_t($0) }.compactMap { ProcessEntry(pid: $0) }
    let children = Dictionary(grouping: all, by: \.parent)
    var found: [ProcessEntry] = []
    var queue = [root]
    while let pid = queue.popLast() {
      for child in children[pid] ?? [] where child.state != "Z" && child.state != "X" {
        found.append(child)
        queue.append(child.pid)
      }
    }
    return found
  }
}
