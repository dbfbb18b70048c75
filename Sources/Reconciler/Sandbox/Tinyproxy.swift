import Foundation

/// tinyproxy (https://tinyproxy.github.io, Debian's `tinyproxy`), as wt runs
/// it: the only place that builds its argument list and its configuration.
/// It is a sandbox's one way out with `network: {allow: [domain, …]}`: it
/// refuses (403) every host the list does not name. It runs outside the
/// sandbox, one per worker, started and ended by the pane's wt
/// (`SandboxProxy`).
public struct Tinyproxy: Sendable {
  public var program: String

  public init(program: String = "tinyproxy") { self.program = program }

  /// In the foreground (`-d`), so that it is the child wt waits for and
  /// ends, with the configuration at `configuration`.
  public func arguments(configuration: String) -> [String] {
    [program, "-d", "-c", configuration]
  }

  /// The configuration: listening on this machine's loopback only, its
  /// filter an allow list (`FilterDefaultDeny Yes`) matched against the
  /// host alone (not the URL: an HTTPS request shows no more), CONNECT
  /// (HTTPS) only to ports 443 and 80. Refusals go to `log`, where a person
  /// can read what the agent asked for. See tinyproxy.conf(5).
  public static func configuration(port: Int, filter: String, log: String) -> String {
    """
    Port \(port)
    Listen 127.0.0.1
    Timeout 600
    MaxClients 64
    LogLevel Notice
    LogFile "\(log)"
    Filter "\(filter)"
    FilterType ere
    FilterURLs No
    FilterDefaultDeny Yes
    ConnectPort 443
    ConnectPort 80
    DisableViaHeader Yes

    """
  }

  /// The filter file: one anchored POSIX extended expression per domain.
  /// `example.com` allows that host only (not `evil-example.com`, not
  /// `example.com.evil.net`, not `api.example.com`); `*.example.com`
  /// allows its subdomains at any depth, not `example.com` itself (name
  /// both to allow both): the narrowest reading, so a list never allows
  /// more than it names. The domains are checked when wt.yaml is read (letters, digits, `-` and `.` only), so
  /// escaping the dots leaves nothing of a pattern in them.
  public static func filter(_ domains: [String]) -> String {
    var lines = ["# Written by wt from sandbox.network.allow; one line a domain."]
    for domain in domains {
      let wildcard = domain.hasPrefix("*.")
      let bare = wildcard ? String(domain.dropFirst(2)) : domain
      // Checked at load; should anything else ever reach here, it is left
      // out (allowing less), never written as a pattern.
      guard !bare.isEmpty, bare.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == ".") }) else { continue }
      let name = bare.replacingOccurrences(of: ".", with: "\\.")
      lines.append(wildcard ? "^([a-z0-9-]+\\.)+\(name)$" : "^\(name)$")
    }
    return lines.joined(separator: "\n") + "\n"
  }

  /// Why tinyproxy cannot run here and the command that fixes it; nil
  /// when it can.
  public func problem(runner: ProcessRunner) async -> (reason: String, fix: String)? {
    // `-v` prints the version and exits 0.
    if let out = try? await runner.output([program, "-v"], timeout: .seconds(10)), out.succeeded { return nil }
    return (
      "\(program), the filtering proxy of network: {allow: [...]}, is not installed",
      "install it: apt-get install tinyproxy (Debian, Ubuntu) or dnf install tinyproxy (Fedora)"
    )
  }
}
