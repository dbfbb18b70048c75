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

  /// The built-in Claude Code profile (see `BuiltInAgents`).
  public static let claude = BuiltInAgents.claude
}

extension Template {
  /// A template from a source known at compile time to be valid.
  static func literal(_ source: String) -> Template {
    do { return try Template(source) } catch { preconditionFailure("built-in template '\(source)': \(error)") }
  }
}
