import Foundation

/// The terminal in raw mode on the alternate screen, restored on every way
/// out (quit, Ctrl-C, an error).
final class RawTerminal {
  private var saved = termios()
  private var active = false

  func enter() {
    guard isatty(STDIN_FILENO) == 1 else { return }
    tcgetattr(STDIN_FILENO, &saved)
    var raw = saved
    cfmakeraw(&raw)
    raw.c_oflag |= tcflag_t(OPOST)  // keep \n → \r\n for printing
    tcsetattr(STDIN_FILENO, TCSANOW, &raw)
    write("\u{1B}[?1049h\u{1B}[?25l")
    active = true
    // SIGTERM or SIGHUP ends wt from outside the loop: the terminal is
    // given back all the same.
    let saved = saved
    Interrupts.restoreTerminal = {
      Interrupts.writeIgnoringErrors(STDOUT_FILENO, "\u{1B}[?25h\u{1B}[?1049l")
      var mode = saved
      tcsetattr(STDIN_FILENO, TCSANOW, &mode)
    }
    Interrupts.install(advice: nil)
  }

  func leave() {
    guard active else { return }
    write("\u{1B}[?25h\u{1B}[?1049l")
    tcsetattr(STDIN_FILENO, TCSANOW, &saved)
    active = false
    Interrupts.restoreTerminal = nil
  }

  func write(_ text: String) {
    Interrupts.writeIgnoringErrors(STDOUT_FILENO, text)
  }

  /// Keys typed within `timeout`, decoded; empty when none.
  func keys(timeout: Duration) -> [Key] {
    var poller = pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0)
    let ms = Int32(timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
    guard poll(&poller, 1, ms) > 0 else { return [] }
    var buffer = [UInt8](repeating: 0, count: 64)
    let n = read(STDIN_FILENO, &buffer, buffer.count)
    guard n > 0 else { return [.quit] }
    return Key.decode(Array(buffer.prefix(n)))
  }

  deinit { leave() }
}

enum Key: Equatable {
  case up, down, enter, diff, quit, refresh, other

  static func decode(_ bytes: [UInt8]) -> [Key] {
    var keys: [Key] = []
    var i = 0
    while i < bytes.count {
      if bytes[i] == 0x1B, i + 2 < bytes.count, bytes[i + 1] == UInt8(ascii: "[") {
        keys.append(bytes[i + 2] == UInt8(ascii: "A") ? .up : bytes[i + 2] == UInt8(ascii: "B") ? .down : .other)
        i += 3
        continue
      }
      switch bytes[i] {
      case UInt8(ascii: "k"): keys.append(.up)
      case UInt8(ascii: "j"): keys.append(.down)
      case 13, 10: keys.append(.enter)
      case UInt8(ascii: "d"): keys.append(.diff)
      case UInt8(ascii: "q"), 3: keys.append(.quit)
      case UInt8(ascii: "r"): keys.append(.refresh)
      default: keys.append(.other)
      }
      i += 1
    }
    return keys
  }
}
