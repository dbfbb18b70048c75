/// What wt assumes where wt.yaml is silent.
public enum Defaults {
  public static let workers = 2
  public static let base = "main"
  public static let onDone = Project.OnDone.merge
  public static let agent = "claude"

  public static let prompt = """
    Work on bead {{bead.id}}: {{bead.title}}
    {{bead.description}}
    You are in your own git worktree on branch {{worker.branch}}. Commit your work there.
    When the bead is done, run `wt done`. If you need a person, run `wt signal needs-input "<why>"`.

    """

  /// The built-in Claude Code profile. Facts behind each field are in the
  /// README ("Claude Code"): the trust dialog's default answer exits, so it
  /// is answered Down+Enter; the API-key dialog defaults to No, so Up+Enter.
  public static let claude = AgentProfile(
    name: "claude",
    command: ["claude", "--permission-mode", "acceptEdits"],
    env: [:],
    sessionId: true,
    resume: [Template.literal("claude"), Template.literal("--resume"), Template.literal("{{worker.session_id}}")],
    // Claude Code draws the prompt as ❯ followed by a no-break space.
    ready: "^❯\\u00A0",
    busy: "esc to interrupt",
    dialogs: [
      .init(match: "Is this a project you created or one you trust", keys: ["Down", "Enter"]),
      .init(match: "Do you want to use this API key", keys: ["Up", "Enter"]),
    ],
    hooks: .claude
  )
}

extension Template {
  /// A template from a source known at compile time to be valid.
  static func literal(_ source: String) -> Template {
    do { return try Template(source) } catch { preconditionFailure("built-in template '\(source)': \(error)") }
  }
}
