import Foundation
import Manifest

/// A host reached through a program that runs an argument array there:
/// `kubectl exec -i POD --`, `podman exec -i CONTAINER`, `docker exec -i …`
/// (the host's `exec:`, or its `kubernetes:` block expanded).
///
/// Those programs hand the words after their own to the container runtime
/// as an argv, with no shell reading them
/// (https://kubernetes.io/docs/reference/kubectl/generated/kubectl_exec/,
/// https://docs.podman.io/en/latest/markdown/podman-exec.1.html). wt sends
/// three words: `sh`, `-c`, and the command made into one shell text by
/// `RemoteShell.command`, the same text ssh sends. So one function quotes
/// for every host, the far side's `sh` reads exactly what an SSH host's
/// login shell reads (`cd DIR && exec env -- NAME=VALUE… ARGV…`, bare
/// `wt` also found in `~/.local/bin`), and a program that joined its words
/// into one line for a shell (ssh, `coder ssh`) is not an `exec:` program:
/// such a host is an `ssh:` host.
public struct ExecTransport: HostTransport {
  public var host: RemoteHost
  /// The host's `exec` words; the command follows them.
  public var prefix: [String]
  public var runner: ProcessRunner

  public init(host: RemoteHost, prefix: [String], runner: ProcessRunner) {
    precondition(!prefix.isEmpty)
    self.host = host
    self.prefix = prefix
    self.runner = runner
  }

  /// The prefix for a person at a terminal: `-t` after its `-i`
  /// (`kubectl exec -i -t`, `podman exec -i -t`), which asks the runtime
  /// for a terminal; a prefix with no `-i` is used as it is.
  func prefix(tty: Bool) -> [String] {
    guard tty, let i = prefix.firstIndex(of: "-i") else { return prefix }
    var words = prefix
    words.insert("-t", at: i + 1)
    return words
  }

  public func argv(_ command: [String], environment: [String: String], directory: String?, tty: Bool) -> [String] {
    prefix(tty: tty) + ["sh", "-c", RemoteShell.command(command, environment: environment, directory: directory)]
  }

  public func output(
    _ command: [String], environment: [String: String], directory: String?, input: Data?, timeout: Duration?
  ) async throws -> CommandOutput {
    try refuseNUL(command, environment: environment, directory: directory)
    let limit = timeout ?? .milliseconds(Int(host.timeout * 1000))
    var out: CommandOutput
    do throws(CommandError) {
      out = try await runner.output(argv(command, environment: environment, directory: directory), input: input, timeout: limit)
    } catch {
      // The runner stops the local program (TERM, then KILL) at the
      // deadline. What it started in the container may run on
      // (kubernetes/kubernetes#89031); wt's steps are idempotent and the
      // host's apply lock keeps a leftover from racing the next pass.
      let why = if case .timedOut = error.reason { "no answer within \(limit) (the exec was stopped)" } else { error.description }
      throw HostUnreachable(host: host.name, why: why)
    }
    let said = out.stderr.split(separator: "\n").map(String.init)
    if isKubectl {
      // kubectl exits with the far command's status and says so on its
      // stderr; its own failures (no such pod, no cluster, forbidden)
      // say nothing of the kind.
      if let last = said.last, last.hasPrefix("command terminated with exit code ") {
        out.stderr = said.dropLast().map { $0 + "\n" }.joined()
        return out
      }
      if out.status != 0, said.contains(where: { $0.hasPrefix("error:") || $0.hasPrefix("Error from server") || $0.hasPrefix("Unable to connect") }) {
        throw HostUnreachable(host: host.name, why: said.last ?? "kubectl failed")
      }
      return out
    }
    // podman and docker exit 125 when they themselves fail (no such
    // container): podman-exec(1), EXIT STATUS. podman 4.3 exits 255 for a
    // container that is not running, saying "Error: can only create exec
    // sessions on running containers" (seen here).
    if out.status == 125 || (out.status == 255 && said.last?.hasPrefix("Error: ") == true) {
      throw HostUnreachable(host: host.name, why: said.last ?? "\(prefix[0]) failed")
    }
    return out
  }

  var isKubectl: Bool { (prefix[0] as NSString).lastPathComponent == "kubectl" }
}
