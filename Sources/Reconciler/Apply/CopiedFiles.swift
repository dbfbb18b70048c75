import Foundation

/// Files wt itself puts into a worktree: its own (hooks, notes) and the
/// project's `copy:` files. Teardown keeps a worktree whose copies were
/// edited, so what was copied is remembered by git blob id.
enum CopiedFiles {
  /// Files wt or an agent writes into a worktree; never the person's
  /// changes. Aider leaves its chat and input history and a tags cache. A
  /// trailing `/` names a folder, a trailing `*` a prefix (as in
  /// `info/exclude`).
  static let ownFiles = [".claude/settings.local.json", ".codex/hooks.json", ".gemini/settings.json", ".wt/", ".aider*"]

  /// Copies the files that exist in `source` and not yet in `worktree`;
  /// returns the paths copied.
  static func copy(_ files: [String], from source: String, into worktree: String) throws -> [String] {
    let fm = FileManager.default
    func real(_ path: String) -> String { URL(fileURLWithPath: path).resolvingSymlinksInPath().standardizedFileURL.path }
    let repo = real(source), tree = real(worktree)
    var copied: [String] = []
    for file in files {
      let from = (source as NSString).appendingPathComponent(file)
      let to = (worktree as NSString).appendingPathComponent(file)
      guard fm.fileExists(atPath: from), !fm.fileExists(atPath: to) else { continue }
      // The path as written stays inside (the manifest checks that); a
      // committed link on the way could still lead out of either checkout.
      let realFrom = real(from), into = real((to as NSString).deletingLastPathComponent)
      guard realFrom.hasPrefix(repo + "/"), into == tree || into.hasPrefix(tree + "/") else {
        throw StateError(message: "copy: \(file) leads outside the repository or the worktree through a link; not copied")
      }
      try fm.createDirectory(atPath: (to as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
      try fm.copyItem(atPath: from, toPath: to)
      copied.append(file)
    }
    return copied
  }
}
