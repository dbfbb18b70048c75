import Foundation
import Manifest

/// A sandbox's only way out with `network: {allow: [domain, …]}`: the
/// sandbox has its own network namespace (nothing but its own loopback),
/// and its proxy variables name a bridge on that loopback (`Socat`), which
/// reaches through a Unix socket in the worker's run folder a tinyproxy
/// outside that allows the listed domains and refuses the rest with 403
/// (`Tinyproxy`). The pane's wt starts the outside half before the
/// sandbox and ends it with the worker (`SandboxProxy.Running`).
///
/// Only needs a bound folder and `sh` and `socat` inside, so it is the
/// same for every runtime.
public struct SandboxProxy: Hashable, Sendable {
  public var domains: [String]
  /// Outside only: tinyproxy's configuration, filter and log.
  public var folder: String
  /// The worker's run folder, bound read-only into the sandbox at the same
  /// path; the socket is made there.
  public var socketFolder: String

  public init(domains: [String], folder: String, socketFolder: String) {
    self.domains = domains
    self.folder = folder
    self.socketFolder = socketFolder
  }

  public static let socketName = "proxy.sock"
  /// The bridge's port inside: the sandbox's loopback is its own, so
  /// every worker may use the same one (as Anthropic's sandbox runtime
  /// does).
  public static let port = 3128
  public var socket: String { "\(socketFolder)/\(Self.socketName)" }
  public var url: String { "http://127.0.0.1:\(Self.port)" }

  /// Names of the sandbox's own loopback, which its programs reach
  /// directly (a test server the agent starts), unless the list allows
  /// one: then it means this machine's, through the proxy.
  static let loopback = ["localhost", "127.0.0.1", "::1"]

  /// The proxy variables, in both spellings (curl reads `http_proxy` only
  /// in lower case; Node and Python read either).
  public var environment: [String: String] {
    let direct = Self.loopback.filter { name in !domains.contains { $0.lowercased() == name } }.joined(separator: ",")
    var env: [String: String] = [:]
    for name in ["HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"] {
      env[name] = url
      env[name.lowercased()] = url
    }
    env["NO_PROXY"] = direct
    env["no_proxy"] = direct
    return env
  }

  /// The worker's proxy, when its network is an allow list.
  static func derive(_ w: SandboxedWorker, network: Sandbox.Network) -> SandboxProxy? {
    guard case .allow(let domains) = network else { return nil }
    return SandboxProxy(domains: domains, folder: "\(w.own)/proxy", socketFolder: w.run)
  }
}
