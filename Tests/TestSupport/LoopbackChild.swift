import Foundation

/// A Python server a test runs on this machine's 127.0.0.1, the way the
/// sandbox tests need one: its script reads `sys.argv[1]` (a file it keeps
/// a count in), `sys.argv[2]` (where it writes its port) and `sys.argv[3]`
/// (the test runner's pid: it ends when the runner does, even after a
/// crash), then `arguments`.
public final class LoopbackChild: @unchecked Sendable {
  let process: Process
  public let port: Int
  let countFile: String

  public init(script: String, arguments: [String] = [], what: String) throws {
    countFile = FileManager.default.temporaryDirectory.appendingPathComponent("wt-loopback-\(UUID().uuidString.prefix(6))").path
    let portFile = countFile + ".port"
    process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    // The runner may start it with signals blocked: TERM must end it.
    let unblock = "import signal\nsignal.pthread_sigmask(signal.SIG_UNBLOCK, set(signal.Signals))\n"
    process.arguments = ["python3", "-c", unblock + script, countFile, portFile, String(getpid())] + arguments
    // Never the runner's stdout or stderr: a child left holding them
    // keeps `swift test` waiting for their end after every test finished.
    process.standardInput = FileHandle.nullDevice
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    var text = ""
    let deadline = Date().addingTimeInterval(10)
    while text.isEmpty && Date() < deadline {
      text = (try? String(contentsOfFile: portFile, encoding: .utf8)) ?? ""
      if text.isEmpty { Thread.sleep(forTimeInterval: 0.05) }
    }
    guard let port = Int(text) else {
      process.terminate()
      throw StartError(what: what)
    }
    self.port = port
  }

  struct StartError: Error, CustomStringConvertible {
    var what: String
    var description: String { "\(what) did not start" }
  }

  /// What the script counted (connections, requests).
  public var count: Int { Int((try? String(contentsOfFile: countFile, encoding: .utf8)) ?? "0") ?? 0 }

  deinit {
    process.terminate()
    try? FileManager.default.removeItem(atPath: countFile)
    try? FileManager.default.removeItem(atPath: countFile + ".port")
  }
}
