import Foundation

/// What the proxy tests of sandboxed workers share: whether this machine
/// has the programs an allow list needs, and which processes are still
/// about a worker's folder (its proxy, jails and sandbox), read from /proc.
public enum SandboxProcesses {
  public static var proxyTools: Bool {
    ["/usr/bin/bwrap", "/usr/bin/tinyproxy", "/usr/bin/socat", "/usr/bin/curl"].allSatisfy {
      FileManager.default.isExecutableFile(atPath: $0)
    }
  }

  /// Processes whose command line names `folder` or that run in it.
  public static func processes(in folder: String) -> [String] {
    let pids = (try? FileManager.default.contentsOfDirectory(atPath: "/proc"))?.filter { Int($0) != nil } ?? []
    return pids.filter { pid in
      let cmdline = (try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/cmdline"))).map { String(decoding: $0, as: UTF8.self) } ?? ""
      let cwd = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/cwd")) ?? ""
      return cmdline.contains(folder) || cwd.hasPrefix(folder)
    }
  }
}
