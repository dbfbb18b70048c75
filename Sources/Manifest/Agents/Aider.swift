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
  ///   command?" first of all, is the person's. (`--yes-always` is not
  ///   used: it confirms every other question, and answers "Run shell
  ///   command?" no, `explicit_yes_required` in aider/io.py `confirm_ask`:
  ///   a command the model proposes never runs with it.)
  /// - limits: Aider retries a provider error itself
  ///   (aider/coders/base_coder.py, `send_message`: the error, the
  ///   description aider/exceptions.py gives its litellm exception, then
  ///   "Retrying in N seconds...", the delay doubling from 0.25 s; past
  ///   `RETRY_TIMEOUT`, 60 s, it gives up, about a minute after the first
  ///   failure, each try being three requests of the OpenAI client). Given
  ///   up, it prints the error and the description once more, with no
  ///   reset time, and offers the error's URL ("Open URL for more info?",
  ///   `check_and_open_urls`), its spinner still drawn over the question
  ///   (limit-429-gave-up-url-offer.txt): that offer is declined.
  ///   OpenAI's spent quota comes as a 429 too (`insufficient_quota`: "You
  ///   exceeded your current quota"), retried the same way.
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
      // After a provider error: the spinner overwrites the question's
      // start, so only its end is left (limit-429-gave-up-url-offer.txt).
      .init(match: "(Open URL for more info\\?|Waiting for \\S+)[^?]*on't ask again \\[Yes\\]:\\s*$", keys: ["n", "Enter"]),
      .init(match: "\\? \\(Y\\)es/\\(N\\)o[^:]*\\[[A-Za-z]+\\]:\\s*$"),
    ],
    limits: [
      // A prompt submitted after it (ready, with text): a new turn.
      .init(match: "^[a-z-]*( multi)?> \\S", kind: .resumed),
      .init(match: "^Retrying in [0-9.]+ seconds\\.\\.\\.", kind: .transient),
      .init(match: "You exceeded your current quota|Insufficient credits with the API provider", kind: .needsPerson),
      .init(match: "The API provider is not able to authenticate you", kind: .needsPerson),
      .init(match: "^The API provider has rate limited you\\.", kind: .unknownReset),
      .init(match: "^The API provider's servers are down or overloaded\\.", kind: .overloaded),
    ],
    hooks: .none,
    passEnv: ProviderKeys.openAI,
    usage: .aiderChatHistory,
    origin: .builtIn
  )
}
