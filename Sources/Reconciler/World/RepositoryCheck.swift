import Foundation
import Manifest

/// What wt needs to know of a project's repository before it plans in it,
/// read in three git calls.
public struct RepositoryFacts: Equatable, Sendable {
  /// The git common directory, canonical: two checkouts of one repository
  /// share it.
  public var commonDir: String
  /// Local branches, short names.
  public var branches: [String]
  /// Remote-tracking branches (`origin/main`).
  public var remoteBranches: [String]
  /// The branch `origin/HEAD` points at, without `origin/`.
  public var originHead: String?
  /// The branch the main checkout is on.
  public var checkedOut: String?

  /// `origin/HEAD` when set, else the main checkout's branch when it is
  /// one of the names a default branch goes by, else the one such branch
  /// the repository has (the person may be on a feature branch in their
  /// main checkout). Anything else is a guess: wt asks instead.
  public var defaultBranch: String? {
    if let originHead { return originHead }
    let usual = ["main", "master", "trunk"]
    if let checkedOut, usual.contains(checkedOut) { return checkedOut }
    let present = usual.filter(branches.contains)
    return present.count == 1 ? present[0] : nil
  }

  public func has(branch: String) -> Bool { branches.contains(branch) || remoteBranches.contains(branch) }
}

/// The checks a manifest needs against the repositories it names, after
/// `ManifestLoader` (which runs no git): the real base of each project, and
/// one project per repository. Diagnostics point at the manifest's lines.
public enum RepositoryCheck {
  /// The result with paths canonical, each unset `base` filled with the
  /// repository's default branch, and errors for a base that is not a
  /// branch, a default that cannot be told, and two projects on one
  /// repository (at both entries).
  public static func check(_ result: LoadResult, git: Git) async -> LoadResult {
    await check(result, git: git, keepingProjects: false).result
  }

  /// The same checks for a glance (`status`, `watch`, `ready`): a project
  /// whose base is missing or cannot be told is kept, its problem returned
  /// as a sentence beside it, so one bad project never blanks the others.
  public static func checkKeepingProjects(
    _ result: LoadResult, git: Git, keeping: Bool = true
  ) async -> (result: LoadResult, problems: [String]) {
    await check(result, git: git, keepingProjects: keeping)
  }

  static func check(_ result: LoadResult, git: Git, keepingProjects: Bool) async -> (result: LoadResult, problems: [String]) {
    guard var manifest = result.manifest?.canonical() else { return (result, []) }
    let facts = await withTaskGroup(of: (Int, RepositoryFacts?).self) { group in
      for (i, project) in manifest.projects.enumerated() {
        group.addTask { (i, try? await git.facts(of: project.path)) }
      }
      var out: [Int: RepositoryFacts] = [:]
      for await (i, f) in group { out[i] = f }
      return out
    }
    var diagnostics = result.diagnostics
    var baseProblems: [Diagnostic] = []
    var owners: [String: [Int]] = [:]
    for i in manifest.projects.indices {
      let project = manifest.projects[i]
      var isDirectory: ObjCBool = false
      if keepingProjects, let source = result.sources[project.name],
        !FileManager.default.fileExists(atPath: project.path, isDirectory: &isDirectory) || !isDirectory.boolValue
      {
        baseProblems.append(
          Diagnostic(file: source.path.file, mark: source.path.mark, problem: .pathNotFound(key: "path", path: project.path)))
        continue
      }
      guard let f = facts[i], let source = result.sources[project.name] else { continue }
      owners[f.commonDir, default: []].append(i)
      let at = source.base ?? source.path
      if source.base == nil {
        guard let base = f.defaultBranch else {
          baseProblems.append(
            Diagnostic(file: at.file, mark: at.mark, problem: .noDefaultBranch(path: project.path, current: f.checkedOut)))
          continue
        }
        manifest.projects[i].base = base
      }
      let base = manifest.projects[i].base
      if !f.has(branch: base) {
        baseProblems.append(
          Diagnostic(
            file: at.file, mark: at.mark,
            problem: .unknownBase(
              base, path: project.path, suggestion: suggestion(for: base, among: f.branches + f.remoteBranches),
              branches: f.branches.sorted())))
      }
    }
    for indices in owners.values where indices.count > 1 {
      for i in indices {
        let project = manifest.projects[i]
        guard let source = result.sources[project.name] else { continue }
        let other = indices.first { $0 != i }.map { manifest.projects[$0].name } ?? ""
        diagnostics.append(
          Diagnostic(
            file: source.path.file, mark: source.path.mark, problem: .sharedRepository(path: project.path, other: other)))
      }
    }
    if !keepingProjects { diagnostics += baseProblems }
    var checked = result
    checked.diagnostics = diagnostics.sorted()
    checked.manifest = diagnostics.hasErrors ? nil : manifest
    return (checked, keepingProjects ? baseProblems.sorted().map(\.description) : [])
  }
}
