extension BuiltInAgents {
  /// Claude Code. Every fact seen on the real binary (2.1.327 and 2.1.331;
  /// its screens captured in Tests/ReconcilerTests/Fixtures/claude-screens/,
  /// what wt does with them in docs/agents.md; its options at
  /// https://docs.anthropic.com/en/docs/claude-code/cli-reference).
  public static let claude = AgentProfile(
    name: "claude",
    command: ["claude", "--permission-mode", "acceptEdits"],
    env: [:],
    // `claude --session-id <uuid>` fixes the id up front.
    sessionId: true,
    resume: resume("claude", "--resume", "{{worker.session_id}}"),
    // The input line: ❯ and a no-break space (ready-idle.txt).
    ready: "^❯\\u00A0",
    busy: "esc to interrupt",
    dialogs: [
      // Its default answer, "No, exit", quits: Down then Enter (trust-dialog.txt).
      .init(match: "Is this a project you created or one you trust", keys: ["Down", "Enter"]),
      // The default is No (api-key-dialog.txt).
      .init(match: "Do you want to use this API key", keys: ["Up", "Enter"]),
    ],
    hooks: .claude,
    // `claude 'PROMPT'` starts the interactive screen with PROMPT submitted
    // (`claude "query"` in the CLI reference above); seen on 2.1.337 with
    // the trust and API-key dialogs: answered, the prompt then goes to the
    // model once. It saves the wait for a ready screen and the paste.
    promptArg: .positional,
    passEnv: ProviderKeys.anthropic,
    // Each model response is an `assistant` record of the session's
    // transcript with its `message.usage` (docs/usage.md).
    usage: .claudeTranscript,
    origin: .builtIn
  )
}
