import Foundation

/// What a child process left: its exit status and both streams.
public struct ChildOutput: Sendable {
  public var status: Int32
  public var stdout: Data
  public var stderr: Data

  public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
  public var stderrText: String { String(decoding: stderr, as: UTF8.self) }
}

/// Runs `executable` with `arguments` (no shell) to its end, with stdin
/// from `stdin` or /dev/null, and returns its status and output. The one
/// child-process helper of the test targets (CLITests runs wt and the
/// tools of its playgrounds through it, ReconcilerTests the shells of its
/// remote-command tests).
///
/// Both pipes are drained before the wait, so a chatty child never stalls
/// on a full pipe. A child that leaves a descendant holding its stdout
/// keeps this waiting: a test that starts a daemon sends its output to a
/// file.
public func runChild(
  _ executable: String, _ arguments: [String], in directory: String? = nil,
  environment: [String: String]? = nil, stdin: Data? = nil
) throws -> ChildOutput {
  let p = Process()
  p.executableURL = URL(fileURLWithPath: executable)
  p.arguments = arguments
  if let directory { p.currentDirectoryURL = URL(fileURLWithPath: directory) }
  if let environment { p.environment = environment }
  let out = Pipe(), err = Pipe(), input = Pipe()
  p.standardOutput = out
  p.standardError = err
  p.standardInput = stdin == nil ? FileHandle.nullDevice : input
  try p.run()
  if let stdin {
    input.fileHandleForWriting.write(stdin)
    try input.fileHandleForWriting.close()
  }
  // stderr on a thread of its own: reading one pipe to its end while the
  // child fills the other would deadlock.
  let errData = ErrorStream()
  let reader = Thread { errData.set(err.fileHandleForReading.readDataToEndOfFile()) }
  reader.start()
  let o = out.fileHandleForReading.readDataToEndOfFile()
  let e = errData.wait()
  p.waitUntilExit()
  return ChildOutput(status: p.terminationStatus, stdout: o, stderr: e)
}

/// stderr's bytes, handed from the reading thread to the waiting one.
private final class ErrorStream: @unchecked Sendable {
  private let done = DispatchSemaphore(value: 0)
  private var data = Data()
  func set(_ d: Data) {
    data = d
    done.signal()
  }
  func wait() -> Data {
    done.wait()
    return data
  }
}
