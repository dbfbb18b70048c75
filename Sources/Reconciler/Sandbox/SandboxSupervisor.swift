import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// The pane's process for a sandboxed worker (`wt sandbox-exec`), on this
/// machine, outside the sandbox: it starts the sandbox (bwrap or podman)
/// as its child with only the environment the worker is meant to have, and
/// answers the sandbox's socket (`SandboxChannel`) by running `wt signal`,
/// `wt prime` or `wt done` for its own worker. It ends with its child.
public struct SandboxSupervisor: Sendable {
  public var worker: String
  public var socket: String
  /// Variables the child keeps (`NAME`, or `PREFIX*`); the rest of the
  /// session's environment stays out (the person's tokens, agent sockets).
  public var keep: [String]
  public var wt: String
  public var directory: String
  public var command: [String]
  /// A podman container's: see `SandboxContainer`.
  public var container: SandboxContainer?

  public init(
    worker: String, socket: String, keep: [String], wt: String, directory: String, command: [String],
    container: SandboxContainer? = nil
  ) {
    self.worker = worker
    self.socket = socket
    self.keep = keep
    self.wt = wt
    self.directory = directory
    self.command = command
    self.container = container
  }

  /// Requests answered at once (hooks fire one at a time; `wt done` may
  /// wait for the merge queue).
  static let concurrentAnswers = 8

  /// Variables every terminal program expects.
  public static let basics = ["PATH", "TERM", "COLORTERM", "LANG", "LC_*", "TZ", "USER", "LOGNAME", "WT_WORKER"]

  /// The child's environment: the session's, filtered by `keep`.
  public static func environment(_ all: [String: String], keep: [String]) -> [String: String] {
    let patterns = keep + basics
    return all.filter { name, _ in
      patterns.contains { p in p.hasSuffix("*") ? name.hasPrefix(p.dropLast()) : name == p }
    }
  }

  /// Runs the child to its end and returns its exit status.
  public func run(environment: [String: String]) throws -> Int32 {
    let listener = try SandboxChannel.listen(at: socket)
    let server = self
    // The agent may open connections and send nothing: each answer holds
    // a thread of this process (the person's, outside), so only a few at
    // once, each with a deadline; more are closed unanswered.
    let slots = DispatchSemaphore(value: Self.concurrentAnswers)
    let thread = Thread {
      while true {
        let client = accept(listener, nil, nil)
        if client < 0 {
          if [EINTR, ECONNABORTED, EMFILE, ENFILE].contains(errno) { continue }
          return
        }
        guard slots.wait(timeout: .now()) == .success else {
          close(client)
          continue
        }
        SandboxChannel.setDeadline(client, seconds: 30)
        Thread.detachNewThread {
          server.answer(client, environment: environment)
          slots.signal()
        }
      }
    }
    thread.start()
    // Ctrl-C in the pane is the agent's, not this process's.
    signal(SIGINT, SIG_IGN)
    signal(SIGQUIT, SIG_IGN)
    let status: Int32
    if let container {
      // podman chooses the container's environment itself (its --env), and
      // needs the person's own to find its storage and configuration.
      let run: @Sendable ([String], [String: String]) throws -> Int32 = { [self] in try spawn($0, environment: $1) }
      container.removeOnHangUp(spawn: run, environment: environment)
      status = try spawn(command, environment: container.runtimeEnvironment(environment))
      container.remove(spawn: run, environment: environment)
    } else {
      status = try spawn(command, environment: Self.environment(environment, keep: keep))
    }
    unlink(socket)
    return status
  }

  func answer(_ client: Int32, environment: [String: String]) {
    defer { close(client) }
    let data = SandboxChannel.read(client)
    let reply: SandboxChannel.Reply
    if let request = try? JSONDecoder().decode(SandboxRequest.self, from: data), let argv = request.command(worker: worker) {
      reply = run([wt] + argv, input: request.input, environment: environment)
    } else {
      reply = .init(status: 64, stdout: "", stderr: "wt: inside a sandbox only 'wt signal EVENT [MESSAGE]', 'wt prime', 'wt handoff [-m NOTE]' and 'wt done [--allow-empty]' reach wt\n")
    }
    if let out = try? JSONEncoder().encode(reply) { try? SandboxChannel.write(out, to: client) }
  }

  /// A wt command outside, in the worker's worktree, with the session's
  /// whole environment (as it would run without a sandbox).
  func run(_ argv: [String], input: String?, environment: [String: String]) -> SandboxChannel.Reply {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: argv[0])
    p.arguments = Array(argv.dropFirst())
    p.currentDirectoryURL = URL(fileURLWithPath: directory)
    var env = environment
    env["WT_WORKER"] = worker
    env["WT_SANDBOX_SOCKET"] = nil
    p.environment = env
    let (stdin, stdout, stderr) = (Pipe(), Pipe(), Pipe())
    p.standardInput = stdin
    p.standardOutput = stdout
    p.standardError = stderr
    do { try p.run() } catch { return .init(status: 127, stdout: "", stderr: "wt: cannot run \(argv[0]): \(error)\n") }
    let collected = Collected()
    let readers = DispatchGroup()
    for (pipe, isOut) in [(stdout, true), (stderr, false)] {
      readers.enter()
      DispatchQueue.global().async {
        let data = pipe.fileHandleForReading.readDataToEndOfFile().prefix(SandboxChannel.limit / 2)
        collected.set(String(decoding: data, as: UTF8.self), out: isOut)
        readers.leave()
      }
    }
    if let input { try? stdin.fileHandleForWriting.write(contentsOf: Data(input.utf8)) }
    try? stdin.fileHandleForWriting.close()
    p.waitUntilExit()
    readers.wait()
    return .init(status: p.terminationStatus, stdout: collected.out, stderr: collected.err)
  }

  final class Collected: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var out = ""
    private(set) var err = ""
    func set(_ text: String, out isOut: Bool) {
      lock.lock()
      defer { lock.unlock() }
      if isOut { out = text } else { err = text }
    }
  }

  /// The child on this terminal, its signals at their defaults, waited for.
  func spawn(_ argv: [String], environment: [String: String]) throws -> Int32 {
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var defaults = sigset_t()
    sigemptyset(&defaults)
    for s in [SIGINT, SIGQUIT, SIGPIPE, SIGHUP, SIGTERM] { sigaddset(&defaults, s) }
    posix_spawnattr_setsigdefault(&attributes, &defaults)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF))
    let cArgs = argv.map { strdup($0) } + [nil]
    let cEnv = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer { (cArgs + cEnv).forEach { free($0) } }
    var pid = pid_t()
    let rc = posix_spawnp(&pid, argv[0], nil, &attributes, cArgs, cEnv)
    guard rc == 0 else { throw SandboxError("cannot start \(argv[0]): \(String(cString: strerror(rc)))") }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    let code = status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    return code
  }
}
