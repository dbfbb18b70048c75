// The C library's `stdout` is a global variable, which Swift 6 refuses to
// read outside an isolation domain unless the C library is imported
// @preconcurrency, before Foundation imports it plainly.
#if canImport(Glibc)
  @preconcurrency import Glibc
#elseif canImport(Darwin)
  @preconcurrency import Darwin
#endif
import Foundation
import Reconciler

/// How wt ends on a signal a person sends: Ctrl-C (SIGINT, 130), `kill`
/// (SIGTERM, 143) or a closed terminal (SIGHUP, 129), each as 128 + the
/// signal's number (https://tldp.org/LDP/abs/html/exitcodes.html). The
/// terminal is restored and one line says what happened.
///
/// The handler ends the process with `_exit` after flushing what wt
/// printed: `exit` would run the C library's and Foundation's teardown while
/// Swift concurrency's threads still run a pass, and with `wt auto | tee`
/// the reader died of the same Ctrl-C, so every write from here on fails
/// (EPIPE, SIGPIPE being ignored) and must not trap.
enum Interrupts {
  /// Undoes what a full-screen view did to the terminal (raw mode, the
  /// alternate screen); set while one is shown.
  nonisolated(unsafe) static var restoreTerminal: (() -> Void)?

  nonisolated(unsafe) private static var sources: [DispatchSourceSignal] = []

  static let handled: [(signal: Int32, name: String)] = [(SIGINT, "interrupted"), (SIGTERM, "terminated"), (SIGHUP, "hung up")]

  /// Installs the handlers; `advice` follows the line that says why wt
  /// stopped ("run 'wt apply' again to finish").
  static func install(advice: String?) {
    guard sources.isEmpty else { return }
    for (number, name) in handled {
      signal(number, SIG_IGN)
      let source = DispatchSource.makeSignalSource(signal: number, queue: .main)
      source.setEventHandler {
        restoreTerminal?()
        restoreTerminal = nil
        // A gate runs in a process group of its own, which the terminal's
        // signal does not reach: it ends with wt.
        ProcessGroups.signalAll(number)
        let text = "\nwt: \(name)" + (advice.map { "; \($0)" } ?? "") + "\n"
        fflush(stdout)
        writeIgnoringErrors(STDERR_FILENO, text)
        _exit(128 + number)
      }
      source.resume()
      sources.append(source)
    }
  }

  /// Ends wt as a program whose reader went away ends (`wt auto | head`):
  /// wt ignores SIGPIPE so a host's ssh closing early is an error of that
  /// call, which left a long-running command printing into nothing for
  /// ever. The default action of SIGPIPE is the conventional end (141).
  static func endIfReaderGone() {
    fflush(stdout)
    guard ferror(stdout) != 0 else { return }
    signal(SIGPIPE, SIG_DFL)
    raise(SIGPIPE)
  }

  /// A person follows `wt auto | tee log` line by line: a pipe or a file
  /// gets each line as it is written, not 4 KiB at a time.
  static func lineBufferStandardOutput() {
    setvbuf(stdout, nil, _IOLBF, 0)
  }

  /// A write that never traps: `FileHandle.write(_:)` traps on an error
  /// (EPIPE from a pipe whose reader is gone).
  static func writeIgnoringErrors(_ descriptor: Int32, _ text: String) {
    var bytes = Array(text.utf8)[...]
    while !bytes.isEmpty {
      let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
      if written < 0 && errno == EINTR { continue }
      guard written > 0 else { return }
      bytes = bytes.dropFirst(written)
    }
  }
}
