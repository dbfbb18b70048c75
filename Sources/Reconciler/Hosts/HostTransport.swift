import Foundation
import Manifest

/// How the local wt runs a command on a host: an argument array, its
/// variables, a folder, stdin and a deadline in; status, stdout and stderr
/// out. Two programs do it: ssh (`SSHTransport`) and any program that runs
/// an argument array in a container or pod (`ExecTransport`: `kubectl
/// exec`, `podman exec`, `docker exec`). Both make the command one text
/// for a POSIX shell on the far side with `RemoteShell.command`, the one
/// place that quotes for it.
public protocol HostTransport: Sendable {
  var host: RemoteHost { get }

  /// The whole argv that runs `command` on the host; `tty` for a person at
  /// a terminal (attach, seance), otherwise none.
  func argv(_ command: [String], environment: [String: String], directory: String?, tty: Bool) -> [String]

  /// Runs `command` on the host and returns what it left, whatever its
  /// status. A host that cannot be reached or does not answer within
  /// `timeout` (the host's own when nil) is a `HostUnreachable`; the local
  /// process is stopped then.
  func output(
    _ command: [String], environment: [String: String], directory: String?, input: Data?, timeout: Duration?
  ) async throws -> CommandOutput
}

extension HostTransport {
  public func argv(_ command: [String], environment: [String: String] = [:], directory: String? = nil) -> [String] {
    argv(command, environment: environment, directory: directory, tty: false)
  }

  public func output(
    _ command: [String], environment: [String: String] = [:], directory: String? = nil, input: Data? = nil,
    timeout: Duration? = nil
  ) async throws -> CommandOutput {
    try await output(command, environment: environment, directory: directory, input: input, timeout: timeout)
  }

  /// A NUL would end a word of the far command early and cut the quoting
  /// short: refused, never sent (a YAML string can hold one, "\0").
  func refuseNUL(_ command: [String], environment: [String: String], directory: String?) throws {
    let words = command + environment.values + (directory.map { [$0] } ?? [])
    if words.contains(where: { $0.contains("\u{0}") }) {
      throw HostRefusal(host: host.name, why: "a word for the host holds a NUL byte; nothing was sent")
    }
  }
}

extension RemoteHost {
  /// The transport that reaches this host: `exec` when it says one, ssh
  /// otherwise.
  public func transport(stateDirectory: String, runner: ProcessRunner) -> any HostTransport {
    if let exec { return ExecTransport(host: self, prefix: exec, runner: runner) }
    return SSHTransport(host: self, stateDirectory: stateDirectory, runner: runner)
  }
}

/// A host that is taken out of service on purpose (`suspended: true`): not
/// asked, and not an error.
public struct HostSuspended: Error, CustomStringConvertible, Sendable {
  public var host: String
  public var description: String { "host \(host) not reachable: suspended" }
}
