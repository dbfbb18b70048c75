/// Who needs a person, in one place for the status line, `wt watch` and
/// `wt status`.
public enum Attention {
  /// From the state file alone, without tmux, git or bd: the status line
  /// runs this every few seconds. A kept worktree has no worker to wait
  /// on, so it never counts. `wt watch` and `wt apply --watch` record what
  /// they observe (an agent that exited), so the file is current.
  public static func count(in state: State) -> Int {
    state.workers.values.filter { $0.retained == nil && $0.needsPerson }.count
  }
}
