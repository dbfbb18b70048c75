import Foundation

/// An HTTP server on this machine's 127.0.0.1 (Python's http.server) that
/// answers every GET with `body` and counts the requests it served: what
/// a sandbox with `network: {allow: [localhost]}` reaches through its
/// proxy, and one without must not.
public final class LocalHTTPServer: @unchecked Sendable {
  let process: Process
  public let port: Int
  public let body: String
  let countFile: String

  public init(body: String = "hello-from-outside-\(UUID().uuidString.prefix(6))") throws {
    self.body = body
    countFile = FileManager.default.temporaryDirectory.appendingPathComponent("wt-http-\(UUID().uuidString.prefix(6))").path
    let portFile = countFile + ".port"
    process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [
      "python3", "-c",
      """
      import http.server, os, signal, sys, threading
      # The runner may start us with signals blocked: TERM must end us.
      signal.pthread_sigmask(signal.SIG_UNBLOCK, set(signal.Signals))
      count, body, parent = sys.argv[1], sys.argv[3].encode(), int(sys.argv[4])
      served = 0
      class H(http.server.BaseHTTPRequestHandler):
          def do_GET(self):
              global served
              served += 1
              open(count, 'w').write(str(served))
              self.send_response(200); self.send_header('Content-Length', str(len(body))); self.end_headers()
              self.wfile.write(body)
          def log_message(self, *a): pass
      s = http.server.HTTPServer(('127.0.0.1', 0), H)
      s.timeout = 1
      open(sys.argv[2], 'w').write(str(s.server_address[1]))
      # Ends with the test runner, even when no deinit runs (a crash).
      while os.getppid() == parent:
          s.handle_request()
      """, countFile, portFile, body, String(getpid()),
    ]
    // Never the runner's stdout or stderr (see SandboxTests' TCPListener).
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
    guard let port = Int(text) else { throw ServerError() }
    self.port = port
  }

  struct ServerError: Error, CustomStringConvertible {
    var description: String { "the local HTTP server did not start" }
  }

  /// Requests it answered.
  public var served: Int { Int((try? String(contentsOfFile: countFile, encoding: .utf8)) ?? "0") ?? 0 }

  deinit {
    process.terminate()
    try? FileManager.default.removeItem(atPath: countFile)
    try? FileManager.default.removeItem(atPath: countFile + ".port")
  }
}
