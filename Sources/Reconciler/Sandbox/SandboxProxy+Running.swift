import Foundation

#if canImport(Glibc)
  import Glibc
#endif

extension SandboxProxy {
  /// The outside half of a worker's proxy while its pane's wt runs:
  /// tinyproxy and the socket's socat, each in a bubblewrap jail of its
  /// own (they read what the agent sends) that ends with the pane's wt,
  /// even when that wt is killed (`--die-with-parent`): a worker's proxy
  /// never outlives it. Started before the sandbox, stopped after it.
  public final class Running: @unchecked Sendable {
    public let port: Int
    private var children: [pid_t]

    init(port: Int, children: [pid_t]) {
      self.port = port
      self.children = children
    }

    /// TERM, a moment to end, then KILL; each child waited for.
    public func stop() {
      for pid in children { kill(pid, SIGTERM) }
      let deadline = Date().addingTimeInterval(2)
      var left = children
      while !left.isEmpty && Date() < deadline {
        left = left.filter { waitpid($0, nil, WNOHANG) == 0 }
        if !left.isEmpty { usleep(20_000) }
      }
      for pid in left {
        kill(pid, SIGKILL)
        while waitpid(pid, nil, 0) < 0 && errno == EINTR {}
      }
      children = []
    }
  }

  /// A proxy started for wt's own commands (a sandboxed `setup` or
  /// gate), from a thread that lives until `stop`: the jails'
  /// `--die-with-parent` follows the thread that started them, and a
  /// thread of the cooperative pool may end at any time.
  final class Held: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)

    static func start(_ proxy: SandboxProxy) async throws -> Held {
      let held = Held()
      try await withCheckedThrowingContinuation { (started: CheckedContinuation<Void, Error>) in
        Thread.detachNewThread {
          let running: Running
          do { running = try proxy.start() } catch {
            started.resume(throwing: error)
            return
          }
          started.resume()
          held.done.wait()
          running.stop()
        }
      }
      return held
    }

    func stop() { done.signal() }
  }

  /// Writes the filter and configuration and starts both halves outside;
  /// returns once the socket answers. Called on a thread that lives as
  /// long as the worker (the jails' `--die-with-parent` follows the thread
  /// that started them).
  public func start(bubblewrap: Bubblewrap = Bubblewrap(), tinyproxy: Tinyproxy = Tinyproxy(), socat: Socat = Socat())
    throws -> Running
  {
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    let filter = "\(folder)/filter", configuration = "\(folder)/tinyproxy.conf", log = "\(folder)/tinyproxy.log"
    try Tinyproxy.filter(domains).write(toFile: filter, atomically: true, encoding: .utf8)
    // A free port can be taken between the look and tinyproxy's bind:
    // another is tried.
    for _ in 0..<5 {
      let port = try Self.freePort()
      try Tinyproxy.configuration(port: port, filter: filter, log: log).write(toFile: configuration, atomically: true, encoding: .utf8)
      let proxy = try Self.spawn(
        bubblewrap.jail(tinyproxy.arguments(configuration: configuration), writable: [folder], directory: folder, kind: Bubblewrap.kind),
        output: "\(folder)/tinyproxy.err")
      guard Self.waitUntil(alive: proxy, { Self.connects(port: port) }) else {
        Running(port: port, children: [proxy]).stop()
        continue
      }
      let bridge = try Self.spawn(
        bubblewrap.jail(socat.socketToProxy(port: port), writable: [socketFolder], directory: socketFolder, kind: Bubblewrap.kind),
        output: "\(folder)/socat.err")
      let running = Running(port: port, children: [proxy, bridge])
      guard Self.waitUntil(alive: bridge, { Self.connects(socket: socket) }) else {
        running.stop()
        throw SandboxError("the sandbox's proxy socket \(socket) did not open; see \(folder)/socat.err")
      }
      return running
    }
    throw SandboxError("tinyproxy did not start for the sandbox's network allow list; see \(folder)/tinyproxy.err and \(log)")
  }

  /// Polls `ready` for up to 10 s while `pid` runs.
  static func waitUntil(alive pid: pid_t, _ ready: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(10)
    while Date() < deadline {
      if ready() { return true }
      if waitpid(pid, nil, WNOHANG) != 0 { return false }
      usleep(20_000)
    }
    return false
  }

  /// A child with its signals at their defaults and unblocked, stdin from
  /// /dev/null and its output to `output`; not waited for.
  static func spawn(_ argv: [String], output: String) throws -> pid_t {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    posix_spawn_file_actions_adddup2(&actions, 1, 2)
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var all = sigset_t(), none = sigset_t()
    sigfillset(&all)
    sigemptyset(&none)
    posix_spawnattr_setsigdefault(&attributes, &all)
    posix_spawnattr_setsigmask(&attributes, &none)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
    let cArgs = argv.map { strdup($0) } + [nil]
    defer { cArgs.forEach { free($0) } }
    var pid = pid_t()
    let rc = posix_spawnp(&pid, argv[0], &actions, &attributes, cArgs, environ)
    guard rc == 0 else { throw SandboxError("cannot start \(argv[0]) for the sandbox's proxy: \(String(cString: strerror(rc)))") }
    return pid
  }

  /// A port on this machine's loopback that nothing listens on now.
  static func freePort() throws -> Int {
    let fd = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw SandboxError("cannot make a socket: \(String(cString: strerror(errno)))") }
    defer { close(fd) }
    var address = loopback(port: 0)
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
    }
    guard bound else { throw SandboxError("cannot find a free port: \(String(cString: strerror(errno)))") }
    return Int(UInt16(bigEndian: address.sin_port))
  }

  static func loopback(port: Int) -> sockaddr_in {
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = UInt16(port).bigEndian
    address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
    return address
  }

  static func connects(port: Int) -> Bool {
    let fd = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    var address = loopback(port: port)
    return withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
    }
  }

  static func connects(socket path: String) -> Bool {
    let fd = Glibc.socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0, var address = try? SandboxChannel.address(path) else { return false }
    defer { close(fd) }
    return withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) == 0 }
    }
  }
}
