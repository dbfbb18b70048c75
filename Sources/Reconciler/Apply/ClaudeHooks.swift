import Foundation

/// Claude Code hooks that report to wt, written into a worktree's
/// `.claude/settings.local.json` (merged with what is there; kept out of
/// git through `info/exclude`).
///
/// SessionStart prints `wt prime` (Claude adds a SessionStart hook's stdout
/// to the agent's context) and reports the session id; UserPromptSubmit
/// proves delivery; Stop and Notification report idle and needs-input.
/// Every command ends in `|| true` and sends errors nowhere: a hook must
/// never block or break the agent.
public enum ClaudeHooks {
  /// Marks wt's own entries, so rewriting replaces them and nothing else.
  static let marker = "# wt-hook"

  public static func commands(wt: String) -> [String: String] {
    let exe = shellQuoted(wt)
    return [
      "SessionStart": "\(exe) prime 2>/dev/null; \(exe) signal session-start >/dev/null 2>&1 || true \(marker)",
      "UserPromptSubmit": "\(exe) signal prompt-submitted >/dev/null 2>&1 || true \(marker)",
      "Stop": "\(exe) signal stop >/dev/null 2>&1 || true \(marker)",
      "Notification": "\(exe) signal notification >/dev/null 2>&1 || true \(marker)",
    ]
  }

  /// A path as one shell word, for the few places tmux or Claude Code
  /// take a shell string. Only wt's own executable path is ever quoted
  /// this way; bead text never reaches one.
  public static func shellQuoted(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }

  /// Writes or updates the settings file, keeping the person's own keys
  /// and hooks.
  public static func install(in worktree: String, wt: String) throws {
    let dir = (worktree as NSString).appendingPathComponent(".claude")
    let file = (dir as NSString).appendingPathComponent("settings.local.json")
    // A repository can commit `.claude` as a link to anywhere; wt writes
    // only into a real folder of the worktree.
    for path in [dir, file] {
      var info = stat()
      if lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFLNK {
        throw StateError(message: "\(path) is a symbolic link (the repository's?); wt writes its hooks only into a real .claude folder of the worktree")
      }
    }
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    var settings: [String: Any] = [:]
    if let data = FileManager.default.contents(atPath: file) {
      guard let existing = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
        throw StateError(message: "\(file) is not a JSON object; fix or remove it")
      }
      settings = existing
    }
    var hooks = settings["hooks"] as? [String: Any] ?? [:]
    for (event, command) in commands(wt: wt) {
      var groups = (hooks[event] as? [[String: Any]] ?? []).filter { group in
        !((group["hooks"] as? [[String: Any]]) ?? []).contains { ($0["command"] as? String)?.hasSuffix(marker) == true }
      }
      groups.append(["hooks": [["type": "command", "command": command, "timeout": 10]]])
      hooks[event] = groups
    }
    settings["hooks"] = hooks
    let data = try JSONSerialization.data(withJSONObject: settings, options: [.prettyPrinted, .sortedKeys])
    try data.write(to: URL(fileURLWithPath: file), options: .atomic)
  }
}
