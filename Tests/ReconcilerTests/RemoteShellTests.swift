import Foundation
import Testing
import TestSupport

@testable import Reconciler

/// `RemoteShell.command` run by the shells a host may log in with: every
/// word comes back as exactly the bytes that went in, and nothing in it runs.
@Suite(.timeLimit(.minutes(2))) struct RemoteShellTests {
  /// Words no quoting may change: the hostile corpus (texts and ids, valid
  /// and hostile) and the classic traps. A word cannot hold NUL (neither can
  /// an argument or a shell's command line), so those are left out.
  static func words(marker: String) throws -> [String] {
    let ids = try HostileCorpus.ids(marker: marker)
    var words = try HostileCorpus.texts(marker: marker) + ids.valid + ids.hostile
    words += [
      "", " ", "'", "''", "'\\''", "\"", "\\", "\\'", "it's", "a'b'c", "'; touch \(marker); '",
      "\n", "a\nb", "\r\n", "$(touch \(marker))", "`touch \(marker)`", "${HOME}", "$HOME", "$0", "$@", "$*",
      "-n", "-e", "-", "--", "-c", "*", "?", "[a]", "~", "~root", "!!", "!touch", "a=b", "X=y", "%s", "\\0",
      "#comment", "&&", "|", ";", "(", ")", "{", "}", "<", ">", ">\(marker)",
      "grüße", "日本語", "emoji 🧪", "e\u{301}", "é", "\u{FEFF}bom", "\t", "\u{7F}", "\u{1B}[31m",
    ]
    return words.filter { !$0.contains("\0") }
  }

  /// Shells to run `sh -c COMMAND` with: /bin/sh (dash here) and bash
  /// always; zsh, ksh and busybox sh where installed.
  static func shells() -> [(name: String, argv: [String])] {
    var shells: [(String, [String])] = [("sh", ["/bin/sh", "-c"])]
    if let bash = which("bash") { shells.append(("bash", [bash, "-c"])) }
    if let zsh = which("zsh") { shells.append(("zsh", [zsh, "-c"])) }
    if let ksh = which("ksh") { shells.append(("ksh", [ksh, "-c"])) }
    if let mksh = which("mksh") { shells.append(("mksh", [mksh, "-c"])) }
    if let busybox = which("busybox") { shells.append(("busybox sh", [busybox, "sh", "-c"])) }
    return shells
  }

  static func which(_ name: String) -> String? {
    for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
      let path = "\(dir)/\(name)"
      if FileManager.default.isExecutableFile(atPath: path) { return path }
    }
    return nil
  }

  /// Runs argv (no shell of ours), returning stdout's bytes and the status.
  static func run(_ argv: [String], in directory: String? = nil) throws -> (status: Int32, stdout: [UInt8], stderr: String) {
    let r = try runChild(argv[0], Array(argv.dropFirst()), in: directory)
    return (r.status, Array(r.stdout), r.stderrText)
  }

  /// What `printf '%s\0' WORD…` prints.
  static func nulTerminated(_ words: [String]) -> [UInt8] {
    words.flatMap { Array($0.utf8) + [0] }
  }

  static func sandbox() throws -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wt-rsh-\(UUID().uuidString.prefix(8))").path
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
  }

  @Test func shAndBashAreThere() {
    let names = Self.shells().map(\.name)
    #expect(names.contains("sh") && names.contains("bash"), "\(names)")
  }

  @Test func everyWordComesBackAsItsBytes() throws {
    let dir = try Self.sandbox()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let marker = "\(dir)/pwned"
    let words = try Self.words(marker: marker)
    for (name, shell) in Self.shells() {
      // All at once, then one by one (so a failure names its word).
      let all = try Self.run(shell + [RemoteShell.command(["printf", "%s\\0"] + words)], in: dir)
      #expect(all.status == 0, "\(name): \(all.stderr)")
      #expect(all.stdout == Self.nulTerminated(words), "\(name)")
      for word in words {
        let one = try Self.run(shell + [RemoteShell.command(["printf", "%s\\0", word])], in: dir)
        #expect(one.status == 0 && one.stdout == Self.nulTerminated([word]), "\(name): \(TerminalText.escape(word)) \(one.stderr)")
      }
    }
    #expect(!FileManager.default.fileExists(atPath: marker))
  }

  @Test func everyValueReachesTheEnvironmentAsItsBytes() throws {
    let dir = try Self.sandbox()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let marker = "\(dir)/pwned"
    let words = try Self.words(marker: marker)
    // Names X0, X1…; the inner script is a fixed literal of the test's.
    var environment: [String: String] = [:]
    for (i, word) in words.enumerated() { environment["X\(i)"] = word }
    let script = "printf '%s\\0'" + words.indices.map { " \"$X\($0)\"" }.joined()
    for (name, shell) in Self.shells() {
      let all = try Self.run(shell + [RemoteShell.command(["sh", "-c", script], environment: environment)], in: dir)
      #expect(all.status == 0, "\(name): \(all.stderr)")
      #expect(all.stdout == Self.nulTerminated(words), "\(name)")
      for word in words {
        let one = try Self.run(shell + [RemoteShell.command(["sh", "-c", "printf %s \"$X\""], environment: ["X": word])], in: dir)
        #expect(one.status == 0 && one.stdout == Array(word.utf8), "\(name): \(TerminalText.escape(word)) \(one.stderr)")
      }
      // A value that looks like env's option, and one with '=' in it.
      let tricky = try Self.run(
        shell + [RemoteShell.command(["sh", "-c", "printf '%s\\0' \"$A\" \"$B\""], environment: ["A": "-i", "B": "x=y=z"])], in: dir)
      #expect(tricky.stdout == Self.nulTerminated(["-i", "x=y=z"]), "\(name): \(tricky.stderr)")
    }
    #expect(!FileManager.default.fileExists(atPath: marker))
  }

  @Test func theDirectoryMayHoldAnything() throws {
    let dir = try Self.sandbox()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let marker = "\(dir)/pwned"
    for name in [
      "with spaces", "it's 'quoted'", "dq \"x\"", "$(touch \(marker.replacingOccurrences(of: "/", with: "_")))",
      "`id`", "-n", "new\nline", "grüße ✓", "semi;colon && or || pipe |",
    ] {
      let target = "\(dir)/\(name)"
      try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
      for (shellName, shell) in Self.shells() {
        let run = try Self.run(shell + [RemoteShell.command(["sh", "-c", "printf %s \"$PWD\""], directory: target)], in: dir)
        #expect(run.status == 0 && run.stdout == Array(target.utf8), "\(shellName): \(TerminalText.escape(name)) \(run.stderr)")
        let words = try Self.run(shell + [RemoteShell.command(["printf", "%s\\0", name, "$(x)"], directory: target)], in: dir)
        #expect(words.stdout == Self.nulTerminated([name, "$(x)"]), "\(shellName): \(TerminalText.escape(name))")
      }
    }
    // A folder that is not there: the program does not run.
    for (shellName, shell) in Self.shells() {
      let run = try Self.run(shell + [RemoteShell.command(["touch", marker], directory: "\(dir)/missing 'x'")], in: dir)
      #expect(run.status != 0, "\(shellName)")
    }
    #expect(!FileManager.default.fileExists(atPath: marker))
  }

  @Test func quoteIsSingleQuotesWithTheQuoteEscaped() {
    #expect(RemoteShell.quote("") == "''")
    #expect(RemoteShell.quote("a b") == "'a b'")
    #expect(RemoteShell.quote("it's") == #"'it'\''s'"#)
    #expect(RemoteShell.command(["ls", "-l"]) == "exec env -- 'ls' '-l'")
    #expect(RemoteShell.command(["ls"], environment: ["B": "2", "A": "1"], directory: "/x y") == "cd '/x y' && exec env -- 'A=1' 'B=2' 'ls'")
  }
}
