extension BuiltInAgents {
  /// Sourcegraph Amp (npm `@sourcegraph/amp`). Not installable offline here;
  /// not run by the tests.
  /// - resume: a subcommand, `amp threads continue <thread id>` (gastown
  ///   agents.go: ResumeFlag "threads continue", style "subcommand"). Amp's
  ///   thread ids (`T-…`) are not UUIDs, so wt resumes only an id a person
  ///   records; otherwise a restart starts afresh.
  /// - no prompt argument for the interactive screen that peers use: the
  ///   prompt is pasted.
  /// - screen: no pattern documented or encoded by a peer; ready is any
  ///   screen that holds still for `ready_delay`, busy is not read.
  public static let amp = AgentProfile(
    name: "amp",
    command: ["amp"],
    env: [:],
    sessionId: false,
    resume: resume("amp", "threads", "continue", "{{worker.session_id}}"),
    ready: "\\S",
    busy: nil,
    dialogs: [],
    hooks: .none,
    readyDelay: 3,
    passEnv: ["AMP_API_KEY"],
    origin: .builtIn
  )
}
