import Foundation
import Testing
import TestSupport

extension EndToEnd {
  /// wt's socket in a sandbox (`wt sandbox-exec`, outside, as the person)
  /// against an agent that floods it: connections that send nothing must
  /// not each hold a thread of the person's process, and the worker's own
  /// requests are still answered.
  @Suite(.timeLimit(.minutes(2))) struct SandboxSocketTests {
    @Test func idleConnectionsAreClosedAndARequestIsStillAnswered() throws {
      let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wt-sock-\(UUID().uuidString.prefix(6))").path
      try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
      defer { try? FileManager.default.removeItem(atPath: dir) }
      let socket = "\(dir)/wt.sock"
      let supervisor = Process()
      supervisor.executableURL = URL(fileURLWithPath: EndToEnd.CLITests.binary)
      // Its child ends when the test says so (or after two minutes).
      supervisor.arguments = [
        "sandbox-exec", "--worker", "demo/x", "--socket", socket, "--directory", dir, "--",
        "/bin/sh", "-c", "i=0; while [ ! -e \(dir)/stop ] && [ $i -lt 1200 ]; do sleep 0.1; i=$((i+1)); done",
      ]
      supervisor.standardInput = FileHandle.nullDevice
      supervisor.standardOutput = FileHandle.nullDevice
      supervisor.standardError = FileHandle.nullDevice
      try supervisor.run()
      defer {
        FileManager.default.createFile(atPath: "\(dir)/stop", contents: nil)
        supervisor.waitUntilExit()
      }
      // The flood, from a child: 300 connections that send nothing; how
      // many the supervisor closed unanswered (within a deadline), its
      // threads then, and the reply to a real request after.
      let flood = try runChild(
        "/usr/bin/env",
        [
          "python3", "-c",
          """
          import json, os, select, socket, sys, time
          path, pid = sys.argv[1], sys.argv[2]
          deadline = time.time() + 40
          while not os.path.exists(path) and time.time() < deadline: time.sleep(0.05)
          conns = []
          for _ in range(300):
              s = socket.socket(socket.AF_UNIX); s.connect(path); conns.append(s)
          closed = set()
          while len(closed) < 250 and time.time() < deadline:
              ready, _, _ = select.select([c for c in conns if c not in closed], [], [], 0.5)
              for c in ready:
                  try:
                      if c.recv(1) == b'': closed.add(c)
                  except OSError:
                      closed.add(c)
          threads = int(open('/proc/%s/status' % pid).read().split('Threads:')[1].split()[0])
          for c in conns: c.close()
          # Its answers to the ones it held end as they close: until then a
          # new request may be closed unanswered too, so it is sent again.
          reply = b''
          while not reply and time.time() < deadline:
              try:
                  s = socket.socket(socket.AF_UNIX); s.settimeout(20); s.connect(path)
                  s.sendall(json.dumps({'arguments': ['signal', '--worker', 'other/y', 'done']}).encode()); s.shutdown(socket.SHUT_WR)
                  while True:
                      part = s.recv(65536)
                      if not part: break
                      reply += part
              except OSError:
                  reply = b''
          print(json.dumps({'closed': len(closed), 'threads': threads, 'reply': reply.decode()}))
          """, socket, String(supervisor.processIdentifier),
        ])
      #expect(flood.status == 0, "\(flood.stderrText)")
      let result = try #require(try JSONSerialization.jsonObject(with: Data(flood.stdoutText.utf8)) as? [String: Any], "\(flood.stdoutText)")
      #expect((result["closed"] as? Int ?? 0) >= 250, "\(result)")
      #expect((result["threads"] as? Int ?? 1000) < 64, "\(result)")
      // Answered, and refused: a request for another worker never crosses.
      #expect((result["reply"] as? String ?? "").contains("\"status\":64"), "\(result)")
    }
  }
}
