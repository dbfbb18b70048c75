import Foundation
import Manifest

/// One spelling for every path wt compares or records. git lists worktrees
/// by their real path, tmux and the state file keep what wt gave them, and a
/// person writes `~`, `..`, trailing slashes or a path through a symlink
/// (on macOS `/tmp` and `$TMPDIR` are symlinks): compared as written, a live
/// worker looks gone and the next apply tears it down.
public enum CanonicalPath {
  /// The real path of the longest part that exists, with the rest appended
  /// as written (`.` and `..` already folded), so a worktree root that
  /// apply has yet to create gets the spelling it will have once it exists.
  public static func of(_ path: String, host: some Platform = CurrentPlatform()) -> String {
    // Not `standardizingPath` first: on macOS it strips `/private`, and it
    // folds `..` by the letter where the file system follows the link.
    guard path.hasPrefix("/") else { return path }
    var existing = path
    var rest: [String] = []
    while existing != "/" && !existing.isEmpty {
      if let resolved = host.canonicalPath(existing) { return fold(rest.reversed(), onto: resolved) }
      rest.append((existing as NSString).lastPathComponent)
      existing = (existing as NSString).deletingLastPathComponent
    }
    return fold(rest.reversed(), onto: "/")
  }

  /// Components that do not exist yet, `.` and `..` taken by the letter.
  private static func fold(_ components: [String], onto base: String) -> String {
    components.reduce(base) { path, part in
      switch part {
      case "", ".": path
      case "..": (path as NSString).deletingLastPathComponent
      default: (path as NSString).appendingPathComponent(part)
      }
    }
  }
}

extension Manifest {
  /// The same manifest with its file, worktree root and project paths in
  /// their canonical spelling.
  public func canonical() -> Manifest {
    var m = self
    m.file = CanonicalPath.of(file)
    m.settings.worktreeRoot = CanonicalPath.of(settings.worktreeRoot)
    m.projects = projects.map { p in
      var p = p
      p.path = CanonicalPath.of(p.path)
      return p
    }
    return m
  }
}
