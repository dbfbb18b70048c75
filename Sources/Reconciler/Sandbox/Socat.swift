import Foundation

/// socat (http://www.dest-unreach.org/socat/, Debian's `socat`), as wt runs
/// it: the only place that builds its argument lists. It carries a
/// sandbox's proxy traffic across the network namespace, which a Unix
/// socket crosses and TCP does not: outside, from a socket in the worker's
/// run folder to tinyproxy on this machine's loopback; inside, from the
/// sandbox's own 127.0.0.1 to that socket. The way Anthropic's sandbox
/// runtime does it on Linux
/// (https://github.com/anthropic-experimental/sandbox-runtime,
/// src/sandbox/linux-sandbox-utils.ts).
///
/// Both ends name the socket relative to their working folder, so no path
/// of the person's (which may hold `,` or `:`, socat's separators) is ever
/// read as a socat address.
public struct Socat: Sendable {
  public var program: String

  public init(program: String = "socat") { self.program = program }

  /// Outside, started in the run folder: a socket there, each connection
  /// to tinyproxy at `port` (an old socket is removed first).
  public func socketToProxy(port: Int) -> [String] {
    [program, "UNIX-LISTEN:\(SandboxProxy.socketName),fork,unlink-early", "TCP:127.0.0.1:\(port)"]
  }

  /// Inside: `command`, with the bridge started first in the background
  /// (it ends with the sandbox, whose PID namespace ends with the
  /// command) and listening before the command starts (for at most 5 s).
  /// The script is constant; the folder and the command are its
  /// arguments, never part of it.
  public func bridged(_ command: [String], port: Int, socketFolder: String) -> [String] {
    let script = """
      (cd "$1" && exec \(program) TCP-LISTEN:\(port),bind=127.0.0.1,fork,reuseaddr UNIX-CONNECT:\(SandboxProxy.socketName)) \
      </dev/null >/dev/null 2>&1 &
      i=0
      until \(program) -u /dev/null TCP:127.0.0.1:\(port) 2>/dev/null || [ $i -ge 250 ]; do i=$((i+1)); sleep 0.02; done
      shift
      exec "$@"
      """
    return ["/bin/sh", "-c", script, "wt-proxy-bridge", socketFolder] + command
  }

  /// Why socat cannot run here and the command that fixes it; nil when it
  /// can.
  public func problem(runner: ProcessRunner) async -> (reason: String, fix: String)? {
    if let out = try? await runner.output([program, "-V"], timeout: .seconds(10)), out.succeeded { return nil }
    return (
      "\(program), which carries network: {allow: [...]} into the sandbox, is not installed",
      "install it: apt-get install socat (Debian, Ubuntu) or dnf install socat (Fedora)"
    )
  }
}
