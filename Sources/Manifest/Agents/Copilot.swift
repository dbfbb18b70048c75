extension BuiltInAgents {
  /// GitHub Copilot CLI (npm `@github/copilot`). Not installable offline
  /// here; not run by the tests.
  /// - prompt: `copilot -i/--interactive PROMPT` starts interactive with the
  ///   prompt (docs.github.com, "Using GitHub Copilot CLI").
  /// - resume: `copilot --resume <session id>` (github/copilot-cli issue
  ///   3458 quotes the resume hint it prints: `copilot --resume=<id>`).
  /// - busy: "esc to cancel" (ccmanager stateDetector/github-copilot.ts).
  /// - ready: none stable: not busy and still for `ready_delay`.
  public static let copilot = AgentProfile(
    name: "copilot",
    command: ["copilot"],
    env: [:],
    sessionId: false,
    resume: resume("copilot", "--resume", "{{worker.session_id}}"),
    ready: "\\S",
    busy: "(?i)esc to cancel",
    dialogs: [],
    hooks: .none,
    promptArg: .flag("--interactive"),
    readyDelay: 3,
    passEnv: [],
    origin: .builtIn
  )
}
