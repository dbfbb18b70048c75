#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Reads what a pipe holds, with a deadline and a size cap: a hook's JSON on
/// stdin must never hold the agent up, whether the writer keeps the pipe
/// open, sends nothing, or sends too much.
public enum BoundedInput {
  public struct Result: Equatable, Sendable {
    public var bytes: [UInt8]
    /// The writer closed the pipe (as opposed to: time or size ran out).
    public var complete: Bool
  }

  public static func read(fd: Int32, timeoutMilliseconds: Int = 500, limit: Int = 1 << 20) -> Result {
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    var remaining = timeoutMilliseconds
    var clock = timespec()
    clock_gettime(CLOCK_MONOTONIC, &clock)
    let start = Int(clock.tv_sec) * 1000 + Int(clock.tv_nsec) / 1_000_000
    while remaining > 0 && bytes.count < limit {
      var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
      let ready = poll(&poller, 1, Int32(remaining))
      if ready < 0 && errno == EINTR { continue }
      guard ready > 0 else { break }
      let n = buffer.withUnsafeMutableBytes { Glibc_or_Darwin_read(fd, $0.baseAddress, min($0.count, limit - bytes.count)) }
      if n == 0 { return Result(bytes: bytes, complete: true) }
      if n < 0 {
        if errno == EINTR || errno == EAGAIN { continue }
        break
      }
      bytes += buffer[0..<n]
      clock_gettime(CLOCK_MONOTONIC, &clock)
      remaining = timeoutMilliseconds - (Int(clock.tv_sec) * 1000 + Int(clock.tv_nsec) / 1_000_000 - start)
    }
    return Result(bytes: bytes, complete: false)
  }
}

private func Glibc_or_Darwin_read(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
  #if canImport(Glibc)
    Glibc.read(fd, buffer, count)
  #else
    Darwin.read(fd, buffer, count)
  #endif
}
