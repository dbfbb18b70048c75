extension BuiltInAgents {
  /// Google Gemini CLI (npm `@google/gemini-cli`). Not installable offline
  /// here; not run by the tests.
  /// - prompt: `-i/--prompt-interactive PROMPT` runs the prompt and stays
  ///   interactive (gemini-cli docs/cli/commands, `gemini --help`).
  /// - resume: `gemini --resume <session id>` (gastown agents.go:
  ///   ResumeFlag "--resume", style "flag").
  /// - busy: "(esc to cancel, 12s)" under the spinner (ccmanager
  ///   stateDetector/gemini.ts matches "esc to cancel").
  /// - ready: the input box `> ` with its placeholder "Type your message"
  ///   (gemini-cli packages/cli/src/ui/components/InputPrompt.tsx).
  /// - trust: `~/.gemini/trustedFolders.json`, `{"<path>": "TRUST_FOLDER"}`
  ///   (gemini-cli docs/trusted-folders.md, config/trustedFolders.ts).
  /// - hooks: `.gemini/settings.json` `hooks.SessionStart / BeforeAgent /
  ///   AfterAgent / Notification`, Claude-shaped groups, JSON on stdin
  ///   (geminicli.com/docs/hooks/reference).
  public static let gemini = AgentProfile(
    name: "gemini",
    command: ["gemini"],
    env: [:],
    sessionId: false,
    resume: resume("gemini", "--resume", "{{worker.session_id}}"),
    ready: "Type your message|^\\s*[│|]?\\s*> ",
    busy: "(?i)esc to cancel",
    dialogs: [],
    hooks: .gemini,
    promptArg: .flag("--prompt-interactive"),
    trustSeed: .gemini,
    passEnv: ProviderKeys.google,
    origin: .builtIn
  )
}
