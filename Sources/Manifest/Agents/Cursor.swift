extension BuiltInAgents {
  /// Cursor's CLI agent (`cursor-agent`, installed from cursor.com). Not
  /// installable offline here; not run by the tests.
  /// - prompt: `cursor-agent "PROMPT"` starts interactive with the prompt
  ///   (cursor.com/docs/cli/overview).
  /// - resume: `cursor-agent --resume <chatId>` (cursor.com/docs/cli; gastown
  ///   agents.go ResumeFlag "--resume").
  /// - busy: "ctrl+c to stop" (ccmanager stateDetector/cursor.ts).
  /// - ready: none stable: not busy and still for `ready_delay`.
  /// - trust: `~/.cursor/projects/<path with / as - and no .>/.workspace-trusted`,
  ///   JSON `{workspacePath, trustedAt}`, what Cursor writes when a person
  ///   trusts a folder (measured by baksohyeon/mogui-ADE-orchestrator PR 71);
  ///   the dialog "Workspace Trust Required … [a] Trust this workspace"
  ///   (screen quoted in corveil/crow issue 954) is answered with `a` if the
  ///   seed is not honoured.
  public static let cursor = AgentProfile(
    name: "cursor",
    command: ["cursor-agent"],
    env: [:],
    sessionId: false,
    resume: resume("cursor-agent", "--resume", "{{worker.session_id}}"),
    ready: "\\S",
    busy: "(?i)ctrl\\+c to stop",
    dialogs: [.init(match: "Workspace Trust Required.*\\[a\\] Trust this workspace", keys: ["a"])],
    hooks: .none,
    promptArg: .positional,
    trustSeed: .cursor,
    readyDelay: 3,
    passEnv: ["CURSOR_API_KEY"],
    origin: .builtIn
  )
}
