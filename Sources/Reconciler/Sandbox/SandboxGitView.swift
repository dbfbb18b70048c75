import Foundation

/// The repository's shared git folder as tools that read git themselves
/// see it inside a sandbox. GitPython, which Aider commits and reads its
/// history with, looks for every ref but `HEAD` and for every object in
/// the shared folder only (`_git_dir` in git/refs/symbolic.py, the object
/// database at `common_dir/objects` in git/repo/base.py: GitPython 3.1),
/// so it found neither the worker's `refs/worktree/*` nor the commits in
/// its own store: Aider printed "Commit None" and lost `/undo`. Inside,
/// the shared folder shows the worker's `refs/worktree` folder, and an
/// `objects/info` whose `alternates` adds the worker's store (read-only
/// both; git itself needs neither). Outside, nothing of the repository
/// changes but an empty `refs/worktree` folder, the mount's point.
extension SandboxedWorker {
  /// `objects/info` as the sandbox shows it: made by `prepareGitView`.
  public var objectsInfo: String { "\(own)/objects-info" }

  /// The two mounts, on top of the shared folder (`SandboxLayout`).
  var gitViewMounts: [SandboxLayout.Mount] {
    [
      .init(
        source: "\(gitDirectory)/refs/worktree", target: "\(commonDirectory)/refs/worktree", access: .readOnly,
        purpose: "its own refs/worktree, where GitPython (Aider) looks for them"),
      .init(
        source: objectsInfo, target: "\(commonDirectory)/objects/info", access: .readOnly, optional: true,
        purpose: "the repository's objects/info, its alternates adding the worker's objects (for GitPython)"),
    ]
  }

  /// The repository's `alternates` with the worker's store added: lines
  /// kept as written (a relative one is read from `objects/`, as before).
  public static func alternates(original: String?, adding store: String) -> String {
    let lines = (original ?? "").split(separator: "\n").map(String.init).filter { !$0.isEmpty && $0 != store }
    return (lines + [store]).joined(separator: "\n") + "\n"
  }

  /// Makes the view before each start: the mount point, and `objects/info`
  /// as links to the repository's own files (commit-graph, packs) beside
  /// the new `alternates`.
  public func prepareGitView() throws {
    let fm = FileManager.default
    let info = "\(commonDirectory)/objects/info"
    // Both mount points must exist: bubblewrap cannot make one inside
    // the read-only shared folder (git makes `objects/info` itself too).
    try fm.createDirectory(atPath: "\(commonDirectory)/refs/worktree", withIntermediateDirectories: true)
    try fm.createDirectory(atPath: info, withIntermediateDirectories: true)
    // Both sources below are in the folder the agent writes: a link it
    // left there would show the person's files inside (bwrap binds what a
    // link points to), so each is made a real folder or file again.
    let own = AgentWrittenFolder(root: gitDirectory)
    try own.makeFolder("refs/worktree")
    // The read-only config.worktree's mount point (`SandboxLayout`).
    let config = try? fm.attributesOfItem(atPath: "\(gitDirectory)/config.worktree")[.type] as? FileAttributeType
    if config != .typeRegular { try own.write("", to: "config.worktree") }
    try? fm.removeItem(atPath: objectsInfo)
    try fm.createDirectory(atPath: objectsInfo, withIntermediateDirectories: true)
    for name in (try? fm.contentsOfDirectory(atPath: info)) ?? [] where name != "alternates" {
      try fm.createSymbolicLink(atPath: "\(objectsInfo)/\(name)", withDestinationPath: "\(info)/\(name)")
    }
    let original = try? String(contentsOfFile: "\(info)/alternates", encoding: .utf8)
    try Self.alternates(original: original, adding: objects).write(toFile: "\(objectsInfo)/alternates", atomically: true, encoding: .utf8)
  }
}
