import Foundation
import Manifest

/// Agent hooks that report to wt, written into a worktree: Claude Code's
/// `.claude/settings.local.json`, Codex's `.codex/hooks.json` or Gemini
/// CLI's `.gemini/settings.json`
/// (merged with what is there; kept out of git through `info/exclude`).
///
/// SessionStart prints `wt prime` (Claude adds a SessionStart hook's stdout
/// to the agent's context) and reports the session id; UserPromptSubmit
/// proves delivery; PostToolUse is activity (past a permission question);
/// Stop, StopFailure (a turn that ended on an API error) and Notification
/// report idle, limited and needs-input.
/// Every command ends in `|| true` and sends errors nowhere: a hook must
/// never block or break the agent.
public enum ClaudeHooks {
  /// Marks wt's own entries, so rewriting replaces them and nothing else.
  static let marker = "# wt-hook"

  /// `wt signal EVENT` as a hook runs it: silent, never failing, marked.
  static func signal(_ exe: String, _ event: HookEvent) -> String {
    "\(exe) signal \(event.rawValue) >/dev/null 2>&1 || true \(marker)"
  }

  public static func commands(wt: String) -> [String: String] {
    let exe = shellQuoted(wt)
    return [
      "SessionStart": "\(exe) prime 2>/dev/null; " + signal(exe, .sessionStart),
      "UserPromptSubmit": signal(exe, .promptSubmitted),
      "PostToolUse": signal(exe, .toolUsed),
      "Stop": signal(exe, .stop),
      "StopFailure": signal(exe, .stopFailure),
      "Notification": signal(exe, .notification),
    ]
  }

  /// Gemini CLI's hook events (geminicli.com/docs/hooks/reference): the same
  /// shape of settings as Claude Code's, other event names. Its hooks must
  /// print nothing but JSON on stdout, so `wt prime` cannot speak through
  /// SessionStart: every command is silent, and the bead reaches the agent
  /// in its prompt.
  public static func geminiCommands(wt: String) -> [String: String] {
    let exe = shellQuoted(wt)
    return [
      "SessionStart": signal(exe, .sessionStart),
      "BeforeAgent": signal(exe, .promptSubmitted),
      "AfterTool": signal(exe, .toolUsed),
      "AfterAgent": signal(exe, .stop),
      "Notification": signal(exe, .notification),
    ]
  }

  /// Codex's hook events (developers.openai.com/codex/hooks: `.codex/hooks.json`,
  /// Claude-shaped groups). Silent too: Codex reads a SessionStart hook's
  /// context from JSON. Codex runs them only with `[features] codex_hooks =
  /// true` in its config, which is the person's to set.
  public static func codexCommands(wt: String) -> [String: String] {
    let exe = shellQuoted(wt)
    return [
      "SessionStart": signal(exe, .sessionStart),
      "UserPromptSubmit": signal(exe, .promptSubmitted),
      "Stop": signal(exe, .stop),
    ]
  }

  /// Where each kind of hooks lives in a worktree, and its commands.
  static func layout(_ kind: AgentProfile.Hooks, wt: String) -> (folder: String, file: String, commands: [String: String])? {
    switch kind {
    case .claude: return (".claude", "settings.local.json", commands(wt: wt))
    case .codex: return (".codex", "hooks.json", codexCommands(wt: wt))
    case .gemini: return (".gemini", "settings.json", geminiCommands(wt: wt))
    case .none: return nil
    }
  }

  /// A path as one shell word, for the few places tmux or Claude Code
  /// take a shell string. Only wt's own executable path is ever quoted
  /// this way; bead text never reaches one.
  public static func shellQuoted(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }

  /// Throws when one of `paths` is a symbolic link: wt writes only into
  /// real files and folders.
  static func refuseLinks(_ paths: [String], what: String) throws {
    for path in paths {
      var info = stat()
      if lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFLNK {
        throw StateError(message: "\(path) is a symbolic link (the repository's?); wt writes \(what)")
      }
    }
  }

  /// Writes or updates the settings file, keeping the person's own keys
  /// and hooks.
  public static func install(in worktree: String, wt: String, kind: AgentProfile.Hooks = .claude) throws {
    guard let layout = layout(kind, wt: wt) else { return }
    let dir = (worktree as NSString).appendingPathComponent(layout.folder)
    let file = (dir as NSString).appendingPathComponent(layout.file)
    // A repository can commit `.claude` as a link to anywhere; wt writes
    // only into a real folder of the worktree.
    try refuseLinks([dir, file], what: "its hooks only into a real \(layout.folder) folder of the worktree")
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    var settings: [String: Any] = [:]
    if let data = FileManager.default.contents(atPath: file) {
      guard let existing = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
        throw StateError(message: "\(file) is not a JSON object; fix or remove it")
      }
      settings = existing
    }
    var hooks = settings["hooks"] as? [String: Any] ?? [:]
    for (event, command) in layout.commands {
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
