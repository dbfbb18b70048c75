import Foundation
import Manifest

/// How wt reaches a host: OpenSSH, one persistent connection per host
/// (`ControlMaster`), never a password prompt (`BatchMode`), a bounded
/// connect and keep-alive probes so a host that stops answering is noticed
/// on a connection that is already open. Every remote command is an
/// argument array made into text by `RemoteShell.command`.
public struct SSHTransport: HostTransport {
  public var host: RemoteHost
  /// Where the control socket lives: wt's state folder, or a short folder
  /// under /tmp when that path would be too long for a socket.
  public var controlPath: String
  public var runner: ProcessRunner

  public init(host: RemoteHost, stateDirectory: String, runner: ProcessRunner) {
    self.host = host
    self.runner = runner
    controlPath = Self.controlPath(for: host, stateDirectory: stateDirectory)
  }

  /// A socket path names the connection by what it connects to, so that
  /// two manifests naming one login share it and a changed port does not.
  static func controlPath(for host: RemoteHost, stateDirectory: String) -> String {
    let key = [host.ssh, "\(host.port ?? 0)", host.sshConfig ?? "", host.identity ?? ""].joined(separator: "\u{0}")
    let name = String(format: "%016llx", fnv1a(key))
    let inState = (stateDirectory as NSString).appendingPathComponent("ssh/\(name)")
    // sun_path holds 104 bytes on macOS, 108 on Linux; ssh adds a suffix
    // of up to 17 while it sets the master up.
    if inState.utf8.count <= 80 { return inState }
    return "/tmp/wt-ssh-\(getuid())/\(name)"
  }

  static func fnv1a(_ text: String) -> UInt64 {
    text.utf8.reduce(14_695_981_039_346_656_037 as UInt64) { ($0 ^ UInt64($1)) &* 1_099_511_628_211 }
  }

  /// `ssh` and its options up to the destination; `tty` for a person at a
  /// terminal (attach), otherwise no terminal at all.
  public func sshArguments(tty: Bool = false) -> [String] {
    let connect = max(1, Int(min(host.timeout, 30).rounded(.up)))
    var argv = ["ssh"]
    if let config = host.sshConfig { argv += ["-F", config] }
    // ssh keeps the first value it is given for an option: the person's
    // come first, so `ServerAliveInterval=10` beats wt's 5; none of them
    // can name what wt must decide (the list leaves out BatchMode and the
    // Control* options).
    for option in host.sshOptions { argv += ["-o", option] }
    argv += [
      "-o", "BatchMode=yes", "-o", "ConnectTimeout=\(connect)", "-o", "ServerAliveInterval=\(aliveInterval)",
      "-o", "ServerAliveCountMax=\(Self.aliveCount)", "-o", "ControlMaster=auto", "-o", "ControlPath=\(controlPath)",
      "-o", "ControlPersist=300", "-o", "LogLevel=ERROR",
    ]
    if let port = host.port { argv += ["-p", "\(port)"] }
    if let identity = host.identity { argv += ["-i", identity, "-o", "IdentitiesOnly=yes"] }
    argv.append(tty ? "-t" : "-T")
    // `--`: the destination is never read as an option.
    argv += ["--", host.ssh]
    return argv
  }

  /// A connection whose host stops answering ends after about the host's
  /// `timeout`: ssh asks every `aliveInterval` seconds and gives up after
  /// `aliveCount` unanswered questions (ssh_config(5), ServerAliveInterval).
  /// A command that runs longer than the timeout (an apply pass) still
  /// may, as long as the host answers.
  var aliveInterval: Int { max(1, Int((host.timeout / Double(Self.aliveCount)).rounded(.up))) }
  static let aliveCount = 3

  /// The whole argv for running `command` on the host.
  public func argv(_ command: [String], environment: [String: String], directory: String?, tty: Bool) -> [String] {
    sshArguments(tty: tty) + [RemoteShell.command(command, environment: environment, directory: directory)]
  }

  /// Runs `command` on the host and returns what it left, whatever its
  /// status; a connection that cannot be made is a `HostUnreachable`.
  public func output(
    _ command: [String], environment: [String: String], directory: String?, input: Data?, timeout: Duration?
  ) async throws -> CommandOutput {
    try refuseNUL(command, environment: environment, directory: directory)
    try prepareControlFolder()
    let limit = timeout ?? .milliseconds(Int(host.timeout * 1000))
    let argv = argv(command, environment: environment, directory: directory, tty: false)
    let out: CommandOutput
    let started = ContinuousClock.now
    do throws(CommandError) {
      out = try await runner.output(argv, input: input, timeout: limit)
    } catch {
      let why = if case .timedOut = error.reason { "no answer within \(limit)" } else { error.description }
      throw HostUnreachable(host: host.name, why: why)
    }
    // 255 is ssh's own failure: the connection, not the command.
    if out.status == 255 {
      let why = out.stderr.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "\n").last.map(String.init)
      // Silent (LogLevel=ERROR hides "Timeout, server not responding")
      // after the questions ssh asks went unanswered: the host stopped
      // answering mid-command.
      let unanswered = ContinuousClock.now - started >= .seconds(aliveInterval * Self.aliveCount)
      let stopped = "no answer within \(Duration.milliseconds(Int(host.timeout * 1000))) (it stopped answering)"
      throw HostUnreachable(host: host.name, why: why ?? (unanswered ? stopped : "ssh failed"))
    }
    return out
  }

  func prepareControlFolder() throws {
    let folder = (controlPath as NSString).deletingLastPathComponent
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    // Whoever can put a socket here answers for the host (ssh's client
    // does not ask who listens), and `/tmp/wt-ssh-UID` is a name anyone
    // may take first: only a real folder of this user's that no one else
    // can write to holds the connection.
    var info = stat()
    guard lstat(folder, &info) == 0, info.st_mode & S_IFMT == S_IFDIR, info.st_uid == getuid(), info.st_mode & 0o022 == 0
    else {
      throw HostRefusal(
        host: host.name, why: "\(folder), where its connection's socket goes, is not a folder of this user's that only it can write to; nothing was sent")
    }
  }
}

/// A host that could not be reached, or did not answer in time: its
/// projects are not observed and are left alone.
public struct HostUnreachable: Error, CustomStringConvertible, Sendable {
  public var host: String
  public var why: String
  public var description: String { "host \(host) not reached: \(why)" }
}
