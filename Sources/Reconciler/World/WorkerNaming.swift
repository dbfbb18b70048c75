/// How workers are named, in one place: the worker, its branch, its
/// worktree folder and its tmux session all follow from (project, bead).
///
/// Every name is injective over (project, bead) — no two workers can share
/// a session, branch or folder — and made only of characters that are
/// inert in tmux names and targets, git ref names and paths. Project names
/// are checked by the manifest (letters, digits, `.`, `_`, `-`, not first
/// `.` or `-`) and bead ids by `BeadID` before anything is named.
public enum WorkerNaming {
  /// `project/bead`: `/` is in neither.
  public static func name(project: String, bead: String) -> String { "\(project)/\(bead)" }

  /// `wt/<bead>`: unique within a repository, and a repository belongs to
  /// one project. A checked id is a valid ref component (no `..`, no
  /// leading `.`, no `.lock` ending, no `@{`, no control or space).
  public static func branch(bead: String) -> String { "wt/\(bead)" }

  /// `<root>/<project>/<bead>`: neither part contains `/` nor is `.`/`..`.
  public static func worktree(root: String, project: String, bead: String) -> String { "\(root)/\(project)/\(bead)" }

  /// `wt-<project>__<bead>`, each part escaped so that the result holds
  /// only `[A-Za-z0-9_-]`: tmux forbids `.` and `:` in session names,
  /// expands `#(…)` and `#{…}` in some arguments, and reads `%`, `@`, `$`,
  /// `{`, `=`, `+` and `-` specially at the start of a target. The escape
  /// (`_u` for `_`, `_d` for `.`, `_xHH` for any other byte) never writes
  /// two `_` in a row, so `__` separates project and bead unambiguously.
  public static func session(project: String, bead: String) -> String {
    "wt-" + escape(project) + "__" + escape(bead)
  }

  static func escape(_ part: String) -> String {
    var out = ""
    for byte in part.utf8 {
      switch byte {
      case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
        UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"):
        out.unicodeScalars.append(Unicode.Scalar(byte))
      case UInt8(ascii: "_"): out += "_u"
      case UInt8(ascii: "."): out += "_d"
      default:
        let hex = String(byte, radix: 16, uppercase: true)
        out += "_x" + (hex.count == 1 ? "0" + hex : hex)
      }
    }
    return out
  }

  /// The (project, bead) a session name was made from, or nil when it is
  /// not one of ours; the inverse of `session`, which proves it injective.
  public static func parse(session: String) -> (project: String, bead: String)? {
    guard session.hasPrefix("wt-") else { return nil }
    var parts: [[UInt8]] = [[]]
    var bytes = Array(session.utf8.dropFirst(3))[...]
    while let byte = bytes.popFirst() {
      guard byte == UInt8(ascii: "_") else {
        parts[parts.count - 1].append(byte)
        continue
      }
      switch bytes.popFirst() {
      case UInt8(ascii: "_"):
        guard parts.count == 1 else { return nil }
        parts.append([])
      case UInt8(ascii: "u"): parts[parts.count - 1].append(UInt8(ascii: "_"))
      case UInt8(ascii: "d"): parts[parts.count - 1].append(UInt8(ascii: "."))
      case UInt8(ascii: "x"):
        guard bytes.count >= 2, let value = UInt8(String(decoding: bytes.prefix(2), as: UTF8.self), radix: 16)
        else { return nil }
        bytes = bytes.dropFirst(2)
        parts[parts.count - 1].append(value)
      default: return nil
      }
    }
    guard parts.count == 2 else { return nil }
    return (String(decoding: parts[0], as: UTF8.self), String(decoding: parts[1], as: UTF8.self))
  }
}
