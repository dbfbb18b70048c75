extension BuiltInAgents {
  /// OpenCode (npm `opencode-ai`). Not installable offline here; not run by
  /// the tests.
  /// - prompt: `opencode --prompt PROMPT` starts the TUI with the prompt
  ///   (opencode.ai/docs/cli, TUI flags).
  /// - resume: `opencode --session <id>` (opencode.ai/docs/cli; gastown
  ///   agents.go ResumeFlag "--session").
  /// - busy: "esc interrupt" in the footer while it works (ccmanager
  ///   stateDetector/opencode.ts matches /esc.*interrupt/i).
  /// - ready: no prompt glyph of its own that peers rely on: ready is any
  ///   screen that is not busy and has held still for `ready_delay`.
  public static let opencode = AgentProfile(
    name: "opencode",
    command: ["opencode"],
    env: [:],
    sessionId: false,
    resume: resume("opencode", "--session", "{{worker.session_id}}"),
    ready: "\\S",
    busy: "(?i)esc.{0,3}interrupt",
    dialogs: [],
    hooks: .none,
    promptArg: .flag("--prompt"),
    readyDelay: 3,
    origin: .builtIn
  )
}
