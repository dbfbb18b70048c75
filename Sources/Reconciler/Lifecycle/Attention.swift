/// What "needs a person" means, in one place: `wt status --attention` (the
/// hub's status line), `wt watch`'s title and the full `wt status` agree.
public enum Attention {
  public static let statuses: Set<String> = ["needs-input", "stuck", "dead", "limited"]

  public static func needsPerson(_ status: String?) -> Bool { status.map(statuses.contains) ?? false }

  /// From the state file alone, without tmux, git or bd: the status line
  /// runs this every few seconds. A kept worktree has no worker to wait
  /// on, so it never counts.
  public static func count(in state: State) -> Int {
    state.workers.values.filter { $0.retained == nil && needsPerson($0.status) }.count
  }

  /// The status line's text: empty when nobody waits.
  public static func line(_ count: Int) -> String {
    count == 0 ? "" : "wt: \(count) need\(count == 1 ? "s" : "") you"
  }
}
