extension BuiltInAgents {
  /// Aider (PyPI `aider-chat`). Seen on the real binary (0.86.2; its options
  /// at https://aider.chat/docs/config/options.html) and driven end to end by
  /// Tests/CLITests/AiderTests.swift; screens in
  /// Tests/ReconcilerTests/Fixtures/aider-screens/.
  /// - command: the two skip flags answer its start-up questions (add
  ///   `.aider*` to .gitignore; what's new) before they are asked.
  /// - ready: its prompt, `[edit format][ multi]> ` (`> `, `whole> `,
  ///   `ask multi> `; capture-pane trims the trailing space).
  /// - busy: the spinner lines it draws while it waits for the model,
  ///   "Waiting for <model>", and for the commit message, "Generating
  ///   commit message with <model>".
  /// - questions: Aider asks with `confirm_ask` (aider/io.py: the question,
  ///   " (Y)es/(N)o", "/(A)ll/(S)kip all" for a group, "/(D)on't ask again",
  ///   then " [Yes]: "), waiting on the last line. "Create new file?" and
  ///   "Add file to the chat?" (aider/coders/base_coder.py,
  ///   `allowed_to_edit` and `check_for_file_mentions`) are part of the
  ///   edit the bead asked for: answered yes. Any other, "Run shell
  ///   command?" first of all, is the person's (`--yes-always` would
  ///   confirm those too, so it is not used).
  /// - pass_env: OpenAI's variables only. Aider picks its model by the
  ///   first vendor key it finds, Anthropic's before OpenAI's
  ///   (aider/onboarding.py), so beside Claude Code it took the person's
  ///   Claude key; a person who runs Aider on Claude says
  ///   `pass_env: [ANTHROPIC_*]` in an override.
  /// - no prompt argument (`--message` answers once and exits), no hooks, no
  ///   session ids: the prompt is pasted and status read from the screen.
  /// - usage: after each reply it writes "Tokens: 1.2k sent, 56 received."
  ///   (with ", N cache write" and ", N cache hit" when the provider reports
  ///   them) to `.aider.chat.history.md` as well as to the screen
  ///   (aider/coders/base_coder.py `calculate_and_show_tokens_and_cost` and
  ///   `show_usage_report`, aider/io.py `tool_output`). Its figures are
  ///   rounded (`format_tokens` in aider/utils.py: 1.2k, 56k).
  public static let aider = AgentProfile(
    name: "aider",
    command: ["aider", "--no-check-update", "--analytics-disable", "--no-show-release-notes", "--no-gitignore"],
    env: [:],
    sessionId: false,
    resume: [],
    ready: "^[a-z-]*( multi)?>( |$)",
    busy: "Waiting for |Generating commit message",
    dialogs: [
      // Answered questions stay on screen: anchored to the end.
      .init(match: "Add \\.aider\\* to \\.gitignore .*\\[Yes\\]:\\s*$", keys: ["n", "Enter"]),
      .init(match: "see what's new in this version\\? .*\\[Yes\\]:\\s*$", keys: ["n", "Enter"]),
    ],
    questions: [
      .init(match: "Create new file\\? \\(Y\\)es/\\(N\\)o[^:]*\\[Yes\\]:\\s*$", keys: ["y", "Enter"]),
      .init(match: "Add file to the chat\\? \\(Y\\)es/\\(N\\)o[^:]*\\[Yes\\]:\\s*$", keys: ["y", "Enter"]),
      .init(match: "\\? \\(Y\\)es/\\(N\\)o[^:]*\\[[A-Za-z]+\\]:\\s*$"),
    ],
    hooks: .none,
    passEnv: ProviderKeys.openAI,
    usage: .aiderChatHistory,
    origin: .builtIn
  )
}
