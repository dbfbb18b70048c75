import Foundation

/// The git steps of a gate worktree that is kept and reused between merges
/// (`gate_cache:`): it is wt's own scratch checkout, never a person's, so
/// forcing is safe there.
extension Git {
  /// Moves a kept gate worktree to `commit` and cleans it of every file
  /// git does not track (ignored ones too, `-x`) except under `keep`
  /// (git clean keeps what `-e` names even with `-x`:
  /// https://git-scm.com/docs/git-clean).
  ///
  /// `gitDirectory`: the worktree's own git folder, when a sandboxed gate
  /// could write it: its reflogs are dropped first, since git appends to
  /// one through a link the gate's code left there (to any file of the
  /// person's). A scratch worktree's reflogs are worth nothing.
  public func resetGateWorktree(_ path: String, to commit: String, keep: [String], gitDirectory: String? = nil) async throws {
    if let gitDirectory {
      let logs = "\(gitDirectory)/logs"
      if (try? FileManager.default.attributesOfItem(atPath: logs)) != nil { try FileManager.default.removeItem(atPath: logs) }
    }
    try await runner.run(["git"] + Self.noHooks + ["-C", path, "checkout", "--quiet", "--detach", "--force", commit])
    var argv = ["git"] + Self.noHooks + ["-C", path, "clean", "-ffdxq"]
    for pattern in keep { argv += ["-e", pattern.hasPrefix("/") ? pattern : "/\(pattern)"] }
    try await runner.run(argv)
  }

  /// The blob id of each of `paths` in `commit` ("-" for one it lacks):
  /// equal ids, equal content.
  public func blobIDs(_ paths: [String], at commit: String, repo: String) async throws -> [String] {
    var out: [String] = []
    for path in paths {
      let result = try await runner.output(["git", "-C", repo, "rev-parse", "--verify", "--quiet", "\(commit):\(path)"])
      out.append(result.succeeded ? result.stdout.trimmingCharacters(in: .whitespacesAndNewlines) : "-")
    }
    return out
  }
}
