import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The one way out of a sandbox to wt: a Unix socket bound (read-only)
/// into it. Inside, `wt signal`, `wt prime` and `wt done` send their
/// arguments here; outside, the pane's wt (`SandboxSupervisor`) runs the
/// same command for its own worker only and sends back what it printed.
/// The request is hostile text: it never names the worker, a manifest or
/// a program (see `SandboxRequest.command`).
public enum SandboxChannel {
  /// One request or reply: a JSON object on one connection, the writer
  /// closing its side when done. Capped, so a flood cannot hold wt.
  static let limit = 4 << 20

  public struct Reply: Codable, Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
  }

  /// A bound, listening socket at `path` (an old one there is removed).
  public static func listen(at path: String) throws -> Int32 {
    unlink(path)
    let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw SandboxError("cannot make a socket: \(String(cString: strerror(errno)))") }
    var address = try Self.address(path)
    let bound = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
    }
    guard bound == 0, Glibc.listen(fd, 8) == 0 else {
      let why = String(cString: strerror(errno))
      close(fd)
      throw SandboxError("cannot listen on \(path): \(why)")
    }
    return fd
  }

  /// Sends `request` to the socket at `path` and waits for the reply.
  public static func send(_ request: SandboxRequest, to path: String) throws -> Reply {
    let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw SandboxError("cannot make a socket: \(String(cString: strerror(errno)))") }
    defer { close(fd) }
    var address = try Self.address(path)
    let connected = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
    }
    guard connected == 0 else {
      throw SandboxError("cannot reach wt outside the sandbox at \(path): \(String(cString: strerror(errno)))")
    }
    try write(try JSONEncoder().encode(request), to: fd)
    shutdown(fd, Int32(SHUT_WR))
    let data = read(fd)
    guard let reply = try? JSONDecoder().decode(Reply.self, from: data) else {
      // The pane's wt went away mid-command: `wt done` ends the session
      // it runs in once everything that matters is written.
      throw SandboxError("wt outside the sandbox ended before it answered")
    }
    return reply
  }

  static func address(_ path: String) throws -> sockaddr_un {
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    let bytes = Array(path.utf8)
    let capacity = MemoryLayout.size(ofValue: address.sun_path)
    guard bytes.count < capacity else {
      throw SandboxError("the socket path \(path) is longer than \(capacity - 1) bytes; set WT_STATE_DIR to a shorter folder")
    }
    withUnsafeMutableBytes(of: &address.sun_path) { raw in
      for (i, b) in bytes.enumerated() { raw[i] = b }
    }
    return address
  }

  static func write(_ data: Data, to fd: Int32) throws {
    try data.withUnsafeBytes { raw in
      var offset = 0
      while offset < raw.count {
        let n = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
        if n < 0 && errno == EINTR { continue }
        guard n > 0 else { throw SandboxError("the sandbox's socket closed: \(String(cString: strerror(errno)))") }
        offset += n
      }
    }
  }

  /// Reads and writes on `fd` give up after `seconds` of silence: a
  /// request that never ends holds nothing forever.
  static func setDeadline(_ fd: Int32, seconds: Int) {
    var limit = timeval(tv_sec: seconds, tv_usec: 0)
    for option in [SO_RCVTIMEO, SO_SNDTIMEO] {
      setsockopt(fd, SOL_SOCKET, option, &limit, socklen_t(MemoryLayout<timeval>.size))
    }
  }

  /// Everything until the other side closes, at most `limit` bytes.
  static func read(_ fd: Int32) -> Data {
    var data = Data()
    var buffer = [UInt8](repeating: 0, count: 65536)
    while data.count < limit {
      let n = Glibc.read(fd, &buffer, buffer.count)
      if n < 0 && errno == EINTR { continue }
      guard n > 0 else { break }
      data.append(buffer, count: n)
    }
    return data
  }
}

/// What the agent inside asks of wt: the verb, its words, and stdin (a
/// hook's JSON).
public struct SandboxRequest: Codable, Sendable, Equatable {
  public var arguments: [String]
  public var input: String?

  public init(arguments: [String], input: String? = nil) {
    self.arguments = arguments
    self.input = input
  }

  /// The verbs that cross: what hooks and the agent's own `wt done` run.
  public static let verbs: Set<String> = ["signal", "prime", "done", "handoff"]

  /// The wt command outside, for `worker` only; nil when the request is
  /// not one that crosses. Any option but `done --allow-empty` and
  /// `handoff -m` refuses it (one could name another worker, bead or
  /// manifest); a signal's words go after `--`, so none is read as one.
  public func command(worker: String) -> [String]? {
    guard let verb = arguments.first, Self.verbs.contains(verb) else { return nil }
    let rest = Array(arguments.dropFirst())
    switch verb {
    case "signal":
      guard (1...2).contains(rest.count), !rest.contains(where: { $0.hasPrefix("-") }) else { return nil }
      return ["signal", "--worker", worker, "--"] + rest
    case "prime":
      return rest.isEmpty ? ["prime"] : nil
    case "handoff":
      // `-m NOTE`, or the note on stdin.
      if rest.isEmpty { return ["handoff"] }
      guard rest.count == 2, ["-m", "--message"].contains(rest[0]) else { return nil }
      return ["handoff", "--message", rest[1]]
    default:
      guard rest.allSatisfy({ $0 == "--allow-empty" }) else { return nil }
      return ["done"] + (rest.isEmpty ? [] : ["--allow-empty"])
    }
  }
}

public struct SandboxError: Error, CustomStringConvertible, Sendable {
  public var description: String
  public init(_ description: String) { self.description = description }
}
