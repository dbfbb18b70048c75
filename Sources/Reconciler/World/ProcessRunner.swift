import Foundation
import Subprocess

#if canImport(System)
  import System
#else
  import SystemPackage
#endif

/// What a finished external command left behind.
public struct CommandOutput: Sendable {
  public var status: Int32
  public var stdout: String
  public var stderr: String
  public var succeeded: Bool { status == 0 }
}

/// An external command that failed, timed out or could not start, named so
/// a person can run it by hand.
public struct CommandError: Error, CustomStringConvertible, Sendable {
  public enum Reason: Sendable { case exited(Int32), timedOut(Duration), couldNotStart(String) }
  public var argv: [String]
  public var reason: Reason
  public var stderr: String

  public var description: String {
    let command = argv.map { $0.contains(" ") ? "'\($0)'" : $0 }.joined(separator: " ")
    let detail = stderr.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "\n").suffix(3)
      .joined(separator: " / ")
    switch reason {
    case .exited(let code): return "`\(command)` failed (exit \(code))\(detail.isEmpty ? "" : ": \(detail)")"
    case .timedOut(let limit): return "`\(command)` did not finish within \(limit)"
    case .couldNotStart(let why): return "`\(command)` could not start: \(why)"
    }
  }
}

/// Runs every external program wt uses: argument arrays only (never a shell
/// string), output capped, both pipes drained while waiting, and a deadline
/// after which the child gets TERM, then KILL.
public struct ProcessRunner: Sendable {
  public static let outputLimit = 16 << 20

  /// Counts calls so benchmarks can show that observation cost grows with
  /// projects, not workers.
  public let calls: CallCounter
  public var defaultTimeout: Duration

  public init(calls: CallCounter = CallCounter(), defaultTimeout: Duration = .seconds(30)) {
    self.calls = calls
    self.defaultTimeout = defaultTimeout
  }

  /// Runs `argv` and returns its output whatever its exit status; throws
  /// only when it cannot start or runs past `timeout`.
  public func output(
    _ argv: [String], in directory: String? = nil, environment: [String: String] = [:], input: String? = nil,
    timeout: Duration? = nil, inherit: Bool = true, ownGroup: Bool = false, groupFile: String? = nil
  ) async throws(CommandError) -> CommandOutput {
    try await output(
      argv, in: directory, environment: environment, input: input.map { Data($0.utf8) }, timeout: timeout, inherit: inherit,
      ownGroup: ownGroup, groupFile: groupFile)
  }

  /// The same with bytes for stdin (a binary copied to a host).
  /// `inherit: false` runs it with `environment` alone. `ownGroup` starts
  /// it in a process group of its own (a gate), so that stopping it (a
  /// deadline, a cancelled task, wt's own end: `ProcessGroups`) ends every
  /// process it started, not only the first. `groupFile` holds the group's
  /// id while it runs, for whoever finds it after wt was killed
  /// (`ProcessGroups.endLeftover`).
  public func output(
    _ argv: [String], in directory: String? = nil, environment: [String: String] = [:], input: Data?,
    timeout: Duration? = nil, inherit: Bool = true, ownGroup: Bool = false, groupFile: String? = nil
  ) async throws(CommandError) -> CommandOutput {
    precondition(!argv.isEmpty)
    calls.record(argv[0])
    let limit = timeout ?? defaultTimeout
    do {
      return try await withThrowingTaskGroup(of: CommandOutput?.self) { group in
        group.addTask {
          try await Self.runOnce(
            argv, in: directory, environment: environment, input: input, inherit: inherit, ownGroup: ownGroup, groupFile: groupFile)
        }
        group.addTask {
          try await Task.sleep(for: limit)
          return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let output = first else {
          throw CommandError(argv: argv, reason: .timedOut(limit), stderr: "")
        }
        return output
      }
    } catch let error as CommandError {
      throw error
    } catch is CancellationError {
      throw CommandError(argv: argv, reason: .couldNotStart("interrupted"), stderr: "")
    } catch {
      throw CommandError(argv: argv, reason: .couldNotStart(describe(error)), stderr: "")
    }
  }

  /// One run of `argv` to its end, without a deadline (`output` adds
  /// it): stdin, stdout and stderr as `output` describes.
  static func runOnce(
    _ argv: [String], in directory: String?, environment: [String: String], input: Data?, inherit: Bool, ownGroup: Bool,
    groupFile: String?
  ) async throws -> CommandOutput {
    var options = PlatformOptions()
    options.teardownSequence = [.gracefulShutDown(toProcessGroup: ownGroup, allowedDurationToNextStep: .seconds(2))]
    if ownGroup { options.processGroupID = 0 }
    let executable: Executable = argv[0].contains("/") ? .path(FilePath(argv[0])) : .name(argv[0])
    var updates: [Environment.Key: String?] = [:]
    for (k, v) in environment { if let key = Environment.Key(rawValue: k) { updates[key] = v } }
    let env = inherit ? Environment.inherit.updating(updates) : Environment.custom(updates.compactMapValues { $0 })
    let cwd = directory.map { FilePath($0) }
    let args = Arguments(Array(argv.dropFirst()))
    let result: (terminationStatus: TerminationStatus, standardOutput: String?, standardError: String?)
    if ownGroup {
      result = try await Self.runInOwnGroup(
        executable, arguments: args, environment: env, workingDirectory: cwd, platformOptions: options,
        groupFile: groupFile)
    } else if let input, input.count <= Self.prefilledInputLimit {
      let r = try await Subprocess.run(
        executable, arguments: args, environment: env, workingDirectory: cwd, platformOptions: options,
        input: .fileDescriptor(try Self.prefilledPipe(input), closeAfterSpawningProcess: true),
        output: .string(limit: Self.outputLimit), error: .string(limit: Self.outputLimit))
      result = (r.terminationStatus, r.standardOutput, r.standardError)
    } else if let input {
      let r = try await Subprocess.run(
        executable, arguments: args, environment: env, workingDirectory: cwd, platformOptions: options,
        input: .data(input), output: .string(limit: Self.outputLimit),
        error: .string(limit: Self.outputLimit))
      result = (r.terminationStatus, r.standardOutput, r.standardError)
    } else {
      let r = try await Subprocess.run(
        executable, arguments: args, environment: env, workingDirectory: cwd, platformOptions: options,
        output: .string(limit: Self.outputLimit), error: .string(limit: Self.outputLimit))
      result = (r.terminationStatus, r.standardOutput, r.standardError)
    }
    return CommandOutput(
      status: Self.shellStatus(result.terminationStatus), stdout: result.standardOutput ?? "",
      stderr: result.standardError ?? "")
  }

  /// Input up to this size goes through `prefilledPipe`: what one pipe
  /// holds without a reader on every system wt runs on (16 KiB on macOS,
  /// 64 KiB on Linux).
  static let prefilledInputLimit = 16 * 1024

  /// A pipe already holding `data`, its writing end closed, for the
  /// child's stdin. swift-subprocess's own writer traps ("FileDescriptor …
  /// was not closed", https://github.com/swiftlang/swift-subprocess/issues/367)
  /// when the child exits before it has read its input, as ssh does when
  /// the host refuses the connection: `wt status` crashed so. Written
  /// before the child exists, the input has no writer left to fail.
  static func prefilledPipe(_ data: Data) throws -> FileDescriptor {
    let (read, write) = try FileDescriptor.pipe()
    defer { try? write.close() }
    do {
      _ = try write.writeAll(data)
    } catch {
      try? read.close()
      throw error
    }
    return read
  }

  /// The status as a shell says it: a signal's is 128 + its number.
  static func shellStatus(_ status: TerminationStatus) -> Int32 {
    switch status {
    case .exited(let code): code
    case .signaled(let signal): 128 + signal
    }
  }

  /// Runs a child in a process group of its own, known to
  /// `ProcessGroups` while it runs; whatever is left of the group when the
  /// child ends (a process it started in the background) is killed.
  static func runInOwnGroup(
    _ executable: Executable, arguments: Arguments, environment: Environment, workingDirectory: FilePath?,
    platformOptions: PlatformOptions, groupFile: String?
  ) async throws -> (terminationStatus: TerminationStatus, standardOutput: String?, standardError: String?) {
    let group = GroupID()
    defer {
      ProcessGroups.end(group.value)
      if let groupFile { try? FileManager.default.removeItem(atPath: groupFile) }
    }
    let result = try await Subprocess.run(
      executable, arguments: arguments, environment: environment, workingDirectory: workingDirectory,
      platformOptions: platformOptions, input: .none, output: .string(limit: Self.outputLimit),
      error: .string(limit: Self.outputLimit)
    ) { execution in
      group.value = execution.processIdentifier.value
      ProcessGroups.add(group.value)
      if let groupFile { try? "\(group.value)\n".write(toFile: groupFile, atomically: true, encoding: .utf8) }
    }
    return (result.terminationStatus, result.standardOutput, result.standardError)
  }

  /// Runs `argv` and returns its stdout; a non-zero exit is an error.
  @discardableResult
  public func run(
    _ argv: [String], in directory: String? = nil, environment: [String: String] = [:], input: String? = nil,
    timeout: Duration? = nil
  ) async throws(CommandError) -> String {
    let out = try await output(argv, in: directory, environment: environment, input: input, timeout: timeout)
    guard out.succeeded else { throw CommandError(argv: argv, reason: .exited(out.status), stderr: out.stderr) }
    return out.stdout
  }
}

/// The process groups of the gates running now, so that wt ending on a
/// signal ends them too: a gate runs in a group of its own (to be stopped
/// whole when cancelled), which a terminal's Ctrl-C no longer reaches.
public enum ProcessGroups {
  private static let lock = NSLock()
  nonisolated(unsafe) private static var live: Set<pid_t> = []

  static func add(_ group: pid_t) {
    guard group > 0 else { return }
    _ = lock.withLock { live.insert(group) }
  }

  /// Kills what is left of `group` and forgets it.
  static func end(_ group: pid_t) {
    guard group > 0 else { return }
    _ = lock.withLock { live.remove(group) }
    kill(-group, SIGKILL)
  }

  /// Kills the group named in `file`, left by a wt that was killed (-9)
  /// while it ran there, and removes the file. Only for a file whose
  /// writer is known to be gone (the merge lock held proves that no other
  /// merger of the repository runs).
  public static func endLeftover(_ file: String) {
    guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { return }
    if let group = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)), group > 1 { kill(-group, SIGKILL) }
    try? FileManager.default.removeItem(atPath: file)
  }

  /// Sends `signal` to every gate's group (wt is ending).
  public static func signalAll(_ signal: Int32) {
    for group in lock.withLock({ live }) { kill(-group, signal) }
  }
}

/// The pid of a child started in its own group, set once it runs.
final class GroupID: @unchecked Sendable {
  private let lock = NSLock()
  private var stored: pid_t = 0
  var value: pid_t {
    get { lock.withLock { stored } }
    set { lock.withLock { stored = newValue } }
  }
}

/// A thread-safe tally of external calls by program name.
public final class CallCounter: @unchecked Sendable {
  private let lock = NSLock()
  private var counts: [String: Int] = [:]

  public init() {}

  func record(_ program: String) {
    let name = (program as NSString).lastPathComponent
    lock.withLock { counts[name, default: 0] += 1 }
  }

  public var snapshot: [String: Int] { lock.withLock { counts } }
  public var total: Int { snapshot.values.reduce(0, +) }
}
