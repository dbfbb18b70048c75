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
  public static let codex = AgentProfile(
    name: "codex",
    command: ["codex"],
    env: [:],
    sessionId: false,
    resume: resume("codex", "resume", "{{worker.session_id}}"),
    ready: "^› (?!\\d+\\. )|^›$",
    busy: "(?i)esc to interrupt",
    dialogs: [],
    hooks: .codex,
    promptArg: .positional,
    trustSeed: .codex,
    passEnv: ProviderKeys.openAI,
    origin: .builtIn
  )
}
