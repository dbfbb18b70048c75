import Foundation

/// An HTTP server on this machine's 127.0.0.1 (Python's http.server) that
/// answers every GET with `body` and counts the requests it served: what
/// a sandbox with `network: {allow: [localhost]}` reaches through its
/// proxy, and one without must not.
public final class LocalHTTPServer: @unchecked Sendable {
  let child: LoopbackChild
  public let body: String
  public var port: Int { child.port }

  public init(body: String = "hello-from-outside-\(UUID().uuidString.prefix(6))") throws {
    self.body = body
    child = try LoopbackChild(
      script: """
        import http.server, os, sys
        count, body, parent = sys.argv[1], sys.argv[4].encode(), int(sys.argv[3])
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
        while os.getppid() == parent:
            s.handle_request()
        """, arguments: [body], what: "the local HTTP server")
  }

  /// Requests it answered.
  public var served: Int { child.count }
}
