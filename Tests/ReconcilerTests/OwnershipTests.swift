import Foundation
import Testing

/// One owner per side effect (STYLE.md, issue 22): only these files build
/// the argument lists of git, tmux, gh, bd, ssh, podman and bwrap; only `Notifier` starts
/// a `Process` of its own (everything else goes through `ProcessRunner`,
/// which drains the pipes and keeps a deadline); only `WTEnvironment`
/// reads the process's environment.
///
/// What it catches, in every `.swift` file under `Sources/` (comment lines
/// skipped): an array literal that begins with the program's name
/// (`["git"`, `[ "tmux"`), an array that begins with the variable an owner
/// keeps the program in (`[bd,`, `[executable,`), a tmux or git
/// subcommand that names nothing else (`"switch-client"`, `"ls-files"`:
/// an argv built onto a prefix from elsewhere), `Process()`, and a read of
/// the process's environment outside `WTEnvironment`. It does
/// not follow data: a list assembled from variables named otherwise is
/// for review to catch.
@Suite(.timeLimit(.minutes(1))) struct OwnershipTests {
  struct Rule {
    var name: String
    var pattern: String
    var regex: NSRegularExpression { get throws { try NSRegularExpression(pattern: pattern) } }
    /// Paths relative to `Sources/`, a trailing `*` a prefix.
    var owners: [String]
  }

  static let tmuxWords = [
    "switch-client", "attach-session", "new-window", "detach-client", "new-session", "kill-session",
    "kill-server", "send-keys", "capture-pane", "list-panes", "respawn-pane", "bind-key", "list-keys",
  ]
  static let gitWords = ["ls-files", "hash-object", "for-each-ref", "rev-parse", "rev-list", "merge-base", "update-ref"]

  /// `[` that opens an array, not a subscript (`f["bd"]`).
  static let array = #"(?<![\w)\]?!])\[\s*"#

  static let rules = [
    Rule(
      name: "git", pattern: array + #""git"|"(\#(gitWords.joined(separator: "|")))""#,
      owners: ["Reconciler/World/Git*", "Reconciler/Merge/Git+Merge.swift"]),
    Rule(
      name: "tmux", pattern: array + #""tmux"|"(\#(tmuxWords.joined(separator: "|")))""#,
      owners: ["Reconciler/World/Tmux*"]),
    Rule(name: "gh", pattern: array + #"("gh"|executable\s*[,\]])"#, owners: ["Reconciler/World/GitHub*"]),
    Rule(name: "bd", pattern: array + #"("bd"|bd\s*[,\]])"#, owners: ["Reconciler/World/IssueTracker.swift"]),
    Rule(name: "ssh", pattern: array + #"("ssh"|"scp")"#, owners: ["Reconciler/Hosts/SSHTransport.swift"]),
    Rule(name: "podman", pattern: array + #""podman""#, owners: ["Reconciler/Sandbox/Podman.swift"]),
    Rule(name: "bwrap", pattern: array + #""bwrap""#, owners: ["Reconciler/Sandbox/Bubblewrap.swift"]),
    // notify is fire-and-forget: nothing to drain, no deadline (see there).
    // The sandbox's supervisor answers its socket on a thread of its own,
    // outside any async task, and runs one `wt` per request there.
    Rule(
      name: "Process()", pattern: #"\bProcess\(\)"#,
      owners: ["Reconciler/Lifecycle/Notifier.swift", "Reconciler/Sandbox/SandboxSupervisor.swift"]),
    // Read once into `WTEnvironment` and passed down.
    Rule(
      name: "the process's environment", pattern: #"ProcessInfo\.processInfo\.environment"#,
      owners: ["Reconciler/Platform/WTEnvironment.swift"]),
  ]

  static func owns(_ owner: String, _ path: String) -> Bool {
    owner.hasSuffix("*") ? path.hasPrefix(String(owner.dropLast())) : path == owner
  }

  /// `file:line: rule` for each line of `text` that breaks a rule.
  static func violations(in text: String, path: String) throws -> [String] {
    let checks = try rules.filter { rule in !rule.owners.contains { owns($0, path) } }.map { ($0, try $0.regex) }
    var found: [String] = []
    for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      let code = line.trimmingCharacters(in: .whitespaces)
      if code.hasPrefix("//") { continue }
      for (rule, regex) in checks {
        if regex.firstMatch(in: code, range: NSRange(code.startIndex..., in: code)) != nil {
          found.append("Sources/\(path):\(index + 1): \(rule.name) outside its owner \(rule.owners.joined(separator: ", "))")
        }
      }
    }
    return found
  }

  @Test func everyProgramsArgumentListsAreBuiltByItsOwner() throws {
    let sources = "\(packageRoot)/Sources"
    let files = try FileManager.default.subpathsOfDirectory(atPath: sources).filter { $0.hasSuffix(".swift") }
    #expect(files.count > 50, "found the sources")
    var found: [String] = []
    for path in files.sorted() {
      found += try Self.violations(in: String(contentsOfFile: "\(sources)/\(path)", encoding: .utf8), path: path)
    }
    #expect(found.isEmpty, "\(found.joined(separator: "\n"))")
  }

  /// The scan catches what it says it catches, and leaves owners and
  /// comments alone.
  @Test func theScanNamesTheFileAndLineOfEachKind() throws {
    let text = """
      let a = try await runner.run(["git", "-C", repo, "worktree", "prune"])
      // ["git", "-C"] in a comment is fine
      let b = tmux.base + ["switch-client", "-t", name]
      let c = [ "gh", "pr", "create"]
      let d = [bd, "show"]
      let e = ["ssh", "-t", host]
      let p = Process()
      let f = settings["bd"] ?? entry["ssh"]
      let home = ProcessInfo.processInfo.environment["HOME"]
      """
    let found = try Self.violations(in: text, path: "wt/Commands/Example.swift")
    #expect(found.map { $0.components(separatedBy: ":").prefix(2).joined(separator: ":") } == [
      "Sources/wt/Commands/Example.swift:1", "Sources/wt/Commands/Example.swift:3", "Sources/wt/Commands/Example.swift:4",
      "Sources/wt/Commands/Example.swift:5", "Sources/wt/Commands/Example.swift:6", "Sources/wt/Commands/Example.swift:7",
      "Sources/wt/Commands/Example.swift:9",
    ])
    #expect(try Self.violations(in: text.components(separatedBy: "\n")[0], path: "Reconciler/World/Git+Worktrees.swift").isEmpty)
    #expect(try Self.violations(in: "let p = Process()", path: "Reconciler/Lifecycle/Notifier.swift").isEmpty)
  }
}
