extension BuiltInAgents {
  /// Block's goose CLI. Not installable offline here; not run by the tests.
  /// - command: `goose session` (block.github.io/goose, CLI commands).
  /// - resume: `goose session --resume --session-id <id>` (goose docs v1.50
  ///   guides/goose-cli-commands: "--session-id: used for session
  ///   identifiers").
  /// - ready: the prompt `( O)>` of the Rust CLI (goose quickstart shows
  ///   `( O)> Press Enter to send, Ctrl-J for new line`); the older Python
  ///   goose drew `G❯` (block-open-source/goose README).
  /// - no prompt argument for the interactive session: pasted.
  public static let goose = AgentProfile(
    name: "goose",
    command: ["goose", "session"],
    env: [:],
    sessionId: false,
    resume: resume("goose", "session", "--resume", "--session-id", "{{worker.session_id}}"),
    ready: "^\\( O\\)>|^G❯",
    busy: nil,
    dialogs: [],
    hooks: .none,
    readyDelay: 1,
    origin: .builtIn
  )
}
