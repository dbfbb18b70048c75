extension BuiltInAgents {
  /// OpenAI Codex CLI (npm `@openai/codex`). Not installable offline here;
  /// not run by the tests.
  /// - command, prompt: `codex "PROMPT"` starts the interactive screen with
  ///   the prompt submitted (developers.openai.com/codex/cli, "codex
  ///   \"explain this codebase\"").
  /// - resume: a subcommand, `codex resume <SESSION_ID>` (codex-rs
  ///   `codex resume`; gastown internal/config/agents.go: ResumeStyle
  ///   "subcommand").
  /// - busy: the status line "Working (… esc to interrupt)" (ccmanager
  ///   src/services/stateDetector/codex.ts matches /esc.*interrupt/i).
  /// - ready: the composer's prompt `›` at the start of a line
  ///   (cli-agent-orchestrator's Codex provider anchors user input on `›`),
  ///   but not `› 1. Yes, proceed (y)`, the selected option of its approval
  ///   menu (screen in ccmanager stateDetector/codex.test.ts).
  /// - trust: `~/.codex/config.toml` `[projects."<path>"] trust_level =
  ///   "trusted"` (codex-rs config/edit.rs `SetProjectTrustLevel`,
  ///   developers.openai.com/codex/config-basic), seeded instead of
  ///   answering the trust screen.
  /// - hooks: `.codex/hooks.json`, Claude-shaped, events SessionStart,
  ///   UserPromptSubmit, Stop (developers.openai.com/codex/hooks); Codex runs
  ///   them only with `[features] codex_hooks = true` in its config.
  /// - limits: an error ends the turn as one history line, "■ " and the
  ///   message (codex-rs tui/src/history_cell.rs, `new_error_event`); the
  ///   messages are codex-rs core/src/error.rs: `UsageLimitReachedError`
  ///   ("You've hit your usage limit. … Try again at 3:28 PM." or "… or
  ///   try again at Aug 8th, 2026 12:30 PM.", local time, `format_retry_
  ///   timestamp`; a long one wraps, so the reset is also read on the line
  ///   that ends it), `QuotaExceeded` and `UsageNotIncluded` (a person
  ///   must act), `InternalServerError` ("high demand"). Not seen on the
  ///   real binary: Codex is not installed here.
  public static let codex = AgentProfile(
    name: "codex",
    command: ["codex"],
    env: [:],
    sessionId: false,
    resume: resume("codex", "resume", "{{worker.session_id}}"),
    ready: "^› (?!\\d+\\. )|^›$",
    busy: "(?i)esc to interrupt",
    dialogs: [],
    limits: [
      .init(match: "^■ You've hit your usage limit", kind: .usage, resets: "[Tt]ry again at (.+ [AP]M)\\.\\s*$"),
      .init(match: "(?:or t|T)ry again at (.+ [AP]M)\\.\\s*$", kind: .usage, resets: "(?:or t|T)ry again at (.+ [AP]M)\\.\\s*$"),
      .init(match: "^■ Quota exceeded\\. Check your plan and billing details", kind: .needsPerson),
      .init(match: "^■ To use Codex with your ChatGPT plan, upgrade", kind: .needsPerson),
      .init(match: "^■ We're currently experiencing high demand", kind: .overloaded),
    ],
    hooks: .codex,
    promptArg: .positional,
    trustSeed: .codex,
    passEnv: ProviderKeys.openAI,
    origin: .builtIn
  )
}
