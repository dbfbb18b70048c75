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
    // The screen fallback for limits: hooks (StopFailure) and the
    // transcript come first; these lines, seen on 2.1.337 against a
    // stand-in API (docs/limits.md; screens in
    // Tests/ReconcilerTests/Fixtures/claude-screens/limits-*.txt), tell
    // what the screen alone can. Anchored on the glyph Claude Code draws
    // before its own lines, which a prompt's echo (indented) never has.
    limits: [
      // A prompt in the history (the live input line has a no-break
      // space, ready-idle.txt), or its own continuation after a reset.
      .init(match: "^❯ \\S", kind: .resumed),
      .init(match: "^∷ Usage limit reset · Continuing automatically", kind: .resumed),
      // Retrying by itself (10 tries, about 3 minutes); a subscription
      // limit on an API key shows its reset in parentheses.
      .init(match: "^✻ .*· retrying in \\d+s.*· attempt \\d+/\\d+", kind: .transient, resets: "· retrying in \\d+s \\(([^)]+)\\)"),
      // A subscription usage limit with its own continuation armed.
      .init(match: "^∷ Usage limit reached · set to continue automatically at ", kind: .transient, resets: "automatically at (.+)$"),
      .init(match: "^\\s+Continuing automatically at .* · Esc to cancel", kind: .transient, resets: "automatically at (.+?) · Esc"),
      .init(match: "^\\s+Continuing shortly · Esc to cancel", kind: .transient),
      // The subscription limit, and the dialog it shows when it will not
      // continue by itself (auto-continue off, or a reset over 24 h away).
      .init(match: "^\\s*⎿\\s+You've hit your .*limit · resets ", kind: .usage, resets: "· resets (.+)$"),
      .init(match: "^\\s*❯ 1\\. Stop and wait for limit to reset", kind: .usage),
      // Given up after the retries: no reset known on an API key.
      .init(match: "^∷ API Error: Request rejected \\(429\\)", kind: .unknownReset),
      .init(match: "^∷ API Error: 529 ", kind: .overloaded),
      .init(match: "^\\s*⎿\\s+Credit balance too low", kind: .needsPerson),
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
