import Foundation

/// Whether a `./wt.yaml` wt found by itself is the person's own file, so
/// that it runs without `wt trust`, as a file they name with `-f` does.
///
/// Trust is for files a repository brings: anyone who can push to it may
/// have written them, and `git clone` puts them on disk unread. A file in a
/// folder that no git work tree holds was not put there by a clone. So the
/// file is the person's own when
/// - it is a regular file (a link is judged by where it leads too),
/// - it belongs to the person and no one else may write it (group and
///   others have no write bit), and
/// - neither its folder nor any folder above it has a `.git` (a work tree,
///   a linked worktree, a submodule), where it leads as where it is found.
/// The person's own config file (`$XDG_CONFIG_HOME/wt/wt.yaml`) is always
/// theirs, even in a dotfiles repository. What this cannot tell: a folder
/// unpacked from an archive is no repository, and its wt.yaml counts as
/// the person's (docs/untrusted-input.md).
enum OwnManifest {
  static func isPersons(_ path: String, userConfig: String) -> Bool {
    let real = ManifestLoader.real(path)
    if real == ManifestLoader.real(userConfig) { return true }
    var info = stat()
    guard stat(real, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return false }
    guard info.st_uid == geteuid(), info.st_mode & (S_IWGRP | S_IWOTH) == 0 else { return false }
    let folders = [(path as NSString).deletingLastPathComponent, (real as NSString).deletingLastPathComponent]
    return !folders.contains(where: insideWorkTree)
  }

  /// A `.git` (folder or file) here or in any folder above.
  static func insideWorkTree(_ folder: String) -> Bool {
    var current = URL(fileURLWithPath: folder).standardizedFileURL.path
    while true {
      var info = stat()
      if lstat((current as NSString).appendingPathComponent(".git"), &info) == 0 { return true }
      let parent = (current as NSString).deletingLastPathComponent
      if parent == current || parent.isEmpty { return false }
      current = parent
    }
  }
}
