import Foundation
import Testing

/// What a repository, a bead or a host's answer may try through `hosts:`:
/// each must leave the person's machine as it was.
extension EndToEnd {
  @Suite struct HostsAttackTests {
    /// A folder with a repository's own ./wt.yaml, and wt run there as a
    /// person would (no WT_CONFIG: wt finds the file itself).
    final class Checkout: @unchecked Sendable {
      let dir: String
      var repo: String { "\(dir)/repo" }

      init() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("wt-attack-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: "\(dir)/repo", withIntermediateDirectories: true)
      }

      deinit { try? FileManager.default.removeItem(atPath: dir) }

      func write(_ text: String, to name: String) throws {
        try text.write(toFile: "\(repo)/\(name)", atomically: true, encoding: .utf8)
      }

      func wt(_ args: [String]) throws -> Playground.Result {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: CLITests.binary)
        p.arguments = args
        p.currentDirectoryURL = URL(fileURLWithPath: repo)
        var env = ProcessInfo.processInfo.environment
        for name in ["WT_CONFIG", "WT_CONFIG_ORIGIN", "WT_HOST", "WT_WORKER"] { env[name] = nil }
        env.merge(["HOME": dir, "WT_STATE_DIR": "\(dir)/state", "NO_COLOR": "1"]) { _, b in b }
        p.environment = env
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return .init(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
      }
    }

    /// A cloned repository's wt.yaml names a host whose ssh config runs a
    /// command: no command wt takes may run ssh for it before `wt trust`,
    /// not only the ones that refuse an untrusted file outright.
    @Test func anUntrustedManifestNeverRunsSSH() throws {
      let c = try Checkout()
      let marker = "\(c.dir)/ran"
      try "Host *\n  ProxyCommand sh -c 'touch \(marker); exit 1'\n".write(
        toFile: "\(c.repo)/ssh.conf", atomically: true, encoding: .utf8)
      try c.write(
        """
        version: 1
        hosts:
          box1: {ssh: dev@box1.example.invalid, ssh_config: ./ssh.conf, timeout: 5}
        projects:
          api: {host: box1, path: ~/src/api}
        """, to: "wt.yaml")
      for args in [
        ["status"], ["validate"], ["host", "list"], ["diff"], ["ready"], ["queue"], ["project", "list"],
        ["forget", "api/api-1"], ["trust", "--host", "box1", "~/src/api"], ["attach", "api/api-1"],
        ["done", "api-1"], ["new", "api-1", "--project", "api"],
      ] {
        let run = try c.wt(args)
        #expect(!FileManager.default.fileExists(atPath: marker), "wt \(args.joined(separator: " ")) ran ssh: \(run.stderr)")
        try? FileManager.default.removeItem(atPath: marker)
      }
    }
  }
}
