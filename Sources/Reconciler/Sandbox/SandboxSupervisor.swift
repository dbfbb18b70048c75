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
  /// The outside half of an allow list's proxy, started before the
  /// sandbox and ended after it.
  public var proxy: SandboxProxy?
  /// A podman container's: see `SandboxContainer`.
  public var container: SandboxContainer?

  public init(
    worker: String, socket: String, keep: [String], wt: String, directory: String, command: [String],
    proxy: SandboxProxy? = nil, container: SandboxContainer? = nil
  ) {
    self.worker = worker
    self.socket = socket
    self.keep = keep
    self.wt = wt
    self.directory = directory
    self.command = command
    self.proxy = proxy
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
    // On this thread, which then waits for the sandbox: the proxy's jails
    // end when it does (`--die-with-parent` follows the thread that
    // started them), and with this process however it ends.
    let running = try proxy?.start()
    defer { running?.stop() }
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
  /// whole environment (as it would run without a sandbox), through the
  /// runner every program of wt's goes through: output capped, both pipes
  /// drained, and TERM then KILL past its deadline. This thread (one a
  /// request, not the cooperative pool's) waits for it.
  func run(_ argv: [String], input: String?, environment: [String: String], timeout: Duration? = nil) -> SandboxChannel.Reply {
    var env = environment
    env["WT_WORKER"] = worker
    env["WT_SANDBOX_SOCKET"] = nil
    let (directory, limit) = (self.directory, timeout ?? Self.deadline(argv))
    let reply = ReplyBox()
    let finished = DispatchSemaphore(value: 0)
    Task.detached {
      defer { finished.signal() }
      do {
        let out = try await ProcessRunner().output(argv, in: directory, environment: env, input: input, timeout: limit, inherit: false)
        reply.value = .init(status: out.status, stdout: Self.capped(out.stdout), stderr: Self.capped(out.stderr))
      } catch let error as CommandError {
        let status: Int32 = if case .timedOut = error.reason { 124 } else { 127 }
        reply.value = .init(status: status, stdout: "", stderr: "wt: \(error)\n")
      } catch {
        reply.value = .init(status: 127, stdout: "", stderr: "wt: \(error)\n")
      }
    }
    finished.wait()
    return reply.value
  }

  /// `wt done` merges, and its merge runs the project's gates (each up
  /// to 30 minutes: `Gate`); the other verbs answer at once.
  static func deadline(_ argv: [String]) -> Duration {
    argv.dropFirst().first == "done" ? .seconds(4 * 3600) : .seconds(120)
  }

  /// Half the channel's cap each, so that both fit in one reply.
  static func capped(_ text: String) -> String {
    let limit = SandboxChannel.limit / 2
    return text.utf8.count <= limit ? text : String(decoding: text.utf8.prefix(limit), as: UTF8.self)
  }

  final class ReplyBox: @unchecked Sendable {
    private let lock = NSLock()
    private var stored = SandboxChannel.Reply(status: 127, stdout: "", stderr: "wt: the command did not run\n")
    var value: SandboxChannel.Reply {
      get { lock.withLock { stored } }
      set { lock.withLock { stored = newValue } }
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
