import Foundation
import PackagePlugin

/// Writes `let buildCommit = "<commit>"` for `wt`, so `wt --version` names
/// the commit it was built from, whether built by `make` or a plain `swift
/// build`. It runs again whenever git's HEAD, reflog or index changes (a
/// commit, checkout or `git add`) or any source file of the package does;
/// the file is rewritten only when its text changes, so nothing recompiles
/// for nothing. (A prebuild command would not do: SwiftPM skips it when no
/// source file changed, which left the commit stale after `git commit`.)
///
/// Empty when git cannot tell: no `.git` (a source tarball), no git, or
/// the macOS plugin sandbox refusing to run it (`make` builds with
/// `--disable-sandbox`).
@main struct BuildCommit: BuildToolPlugin {
  func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
    let root = context.package.directoryURL
    let output = context.pluginWorkDirectoryURL.appending(path: "BuildCommit.swift")
    let sources = context.package.targets.compactMap(\.sourceModule).flatMap { $0.sourceFiles.map(\.url) }
    return [
      .buildCommand(
        displayName: "Recording the git commit for wt --version",
        executable: URL(fileURLWithPath: "/bin/sh"),
        arguments: ["-c", Self.script, "build-commit", root.path, output.path],
        inputFiles: Self.gitFiles(root) + sources,
        outputFiles: [output])
    ]
  }

  /// HEAD, its reflog and the index of the checkout's git directory (in a
  /// worktree `.git` is a file that names it).
  static func gitFiles(_ root: URL) -> [URL] {
    let dotGit = root.appending(path: ".git")
    var gitDir = dotGit
    if let text = try? String(contentsOf: dotGit, encoding: .utf8), text.hasPrefix("gitdir: ") {
      let path = text.dropFirst("gitdir: ".count).trimmingCharacters(in: .whitespacesAndNewlines)
      gitDir = path.hasPrefix("/") ? URL(fileURLWithPath: path) : root.appending(path: path)
    }
    return ["HEAD", "logs/HEAD", "index"].map { gitDir.appending(path: $0) }
      .filter { FileManager.default.fileExists(atPath: $0.path) }
  }

  /// $1: the package, $2: the file to write. `-dirty` marks a build with
  /// uncommitted changes to tracked files.
  static let script = #"""
    set -u
    commit=$(git -C "$1" rev-parse --short=12 HEAD 2>/dev/null) || commit=""
    if [ -n "$commit" ] && [ -n "$(git -C "$1" --no-optional-locks status --porcelain --untracked-files=no 2>/dev/null)" ]; then
      commit="$commit-dirty"
    fi
    line="let buildCommit = \"$commit\""
    [ "$(cat "$2" 2>/dev/null)" = "$line" ] || printf '%s\n' "$line" >"$2"
    """#
}
