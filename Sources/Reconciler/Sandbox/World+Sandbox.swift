import Foundation
import Manifest

/// Where a worker's sandbox keeps its own things, and the git steps wt
/// takes for it outside the sandbox.
extension World {
  /// `<state>/sandbox/<session>`: the worker's object store, home and
  /// socket. Named by its session, which holds only `[A-Za-z0-9_-]`.
  public func sandboxFolder(project: String, bead: String) -> String {
    "\(store.directory)/sandbox/\(WorkerNaming.session(project: project, bead: bead))"
  }

  /// Whether the worker was started in a sandbox (its folder exists),
  /// whatever the manifest says now.
  func sandboxed(project: String, bead: String) -> String? {
    let own = sandboxFolder(project: project, bead: bead)
    return FileManager.default.fileExists(atPath: "\(own)/objects") ? own : nil
  }

  /// Brings a sandboxed worker's commits onto its branch (see
  /// `Git.bringIn`); nothing for a worker without a sandbox.
  func bringInSandboxed(project: Project, bead: String, worktree: String, branch: String) async throws {
    guard let own = sandboxed(project: project.name, bead: bead) else { return }
    let common = try await git.commonDirectory(project.path)
    guard let gitDirectory = git.worktreeGitDirectory(of: worktree, common: common) else { return }
    try await git.bringIn(
      gitDirectory: gitDirectory, branch: branch, objects: "\(own)/objects", repo: project.path, scratch: "\(own)/incoming")
  }

  /// Before a worktree is torn down or handed back: its commits brought in,
  /// its HEAD on its branch again, and its sandbox folder gone once the
  /// worktree is.
  func settleSandboxed(project: Project, bead: String, worktree: String, branch: String) async throws {
    guard let own = sandboxed(project: project.name, bead: bead) else { return }
    let common = try await git.commonDirectory(project.path)
    if let gitDirectory = git.worktreeGitDirectory(of: worktree, common: common) {
      try await git.bringIn(
        gitDirectory: gitDirectory, branch: branch, objects: "\(own)/objects", repo: project.path, scratch: "\(own)/incoming")
      try await git.unseal(gitDirectory: gitDirectory, branch: branch)
    }
  }

  /// The worker's sandbox folder, once its worktree is gone.
  func removeSandboxFolder(project: String, bead: String, worktree: String) {
    guard let own = sandboxed(project: project, bead: bead), !FileManager.default.fileExists(atPath: worktree) else { return }
    try? FileManager.default.removeItem(atPath: own)
  }
}

extension World {
  /// This wt's own path, for the pane's `sandbox-exec` to run wt again.
  public static var currentExecutablePath: String { currentExecutable() }
}

extension World {
  /// The facts a worker's sandbox is derived from; `gitDirectory` is the
  /// worktree's own git folder (for a worker not made yet, where git will
  /// make it: `<common>/worktrees/<bead>`).
  public func sandboxedWorker(
    _ change: Plan.Change, project: Project, profile: AgentProfile, common: String, gitDirectory: String? = nil
  ) -> SandboxedWorker {
    let beads = "\((common as NSString).deletingLastPathComponent)/.beads"
    let path = environment["PATH"] ?? ""
    let named: [String?] = [profile.command.first, profile.resume.first?.source, workerEnvironment["WT_BD"], wtExecutable]
    // Each where it is found, and where it is named (as written, or on
    // PATH) as a link to it, as outside: the agent may run either, and
    // node finds a package's files from its script's real path.
    var links: [String: String] = [:]
    let programs = named.compactMap { $0 }.flatMap { name -> [String] in
      guard let at = Applier.locate(name, path: path, followingLinks: false) else { return [] }
      let found = URL(fileURLWithPath: at).resolvingSymlinksInPath().path
      if at != found { links[at] = found }
      return [found]
    } + Applier.loadedLibraryFolders()
    // An interpreted one's interpreter, environment and installation.
    let home = environment["HOME"] ?? NSHomeDirectory(), inside = profile.env["PATH"] ?? path
    var support: [ProgramSupport.Part] = []
    for name in named.compactMap({ $0 }) {
      guard let found = Applier.locate(name, path: path, followingLinks: false) else { continue }
      for part in ProgramSupport.parts(of: found, path: inside, home: home) where !support.contains(part) { support.append(part) }
    }
    return SandboxedWorker(
      worker: change.worker, worktree: change.worktree,
      gitDirectory: gitDirectory ?? "\(common)/worktrees/\(change.bead)", commonDirectory: common,
      beadsDirectory: FileManager.default.fileExists(atPath: beads) ? beads : nil,
      own: sandboxFolder(project: project.name, bead: change.bead), programs: Array(Set(programs)).sorted(),
      wt: wtExecutable, path: profile.env["PATH"] ?? path, support: support, links: links)
  }
}
