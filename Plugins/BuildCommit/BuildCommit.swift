import Foundation
import PackagePlugin

/// Writes `let buildCommit = "<commit>"` before every build of `wt`, so
/// `wt --version` names the commit it was built from, whether built by
/// `make` or a plain `swift build`. A prebuild command runs each build, so
/// the answer is never stale; the file is rewritten only when it changes,
/// so an unchanged commit recompiles nothing.
///
/// Empty when git cannot tell: no `.git` (a source tarball), no git, or
/// the macOS plugin sandbox refusing to run it (`make` builds with
/// `--disable-sandbox`).
@main struct BuildCommit: BuildToolPlugin {
  func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
    let output = context.pluginWorkDirectoryURL.appending(path: "generated")
    return [
      .prebuildCommand(
        displayName: "Recording the git commit for wt --version",
        executable: URL(fileURLWithPath: "/bin/sh"),
        arguments: ["-c", Self.script, "build-commit", context.package.directoryURL.path, output.path],
        outputFilesDirectory: output)
    ]
  }

  /// $1: the package, $2: the output folder. `-dirty` marks a build
  /// with uncommitted changes to tracked files.
  static let script = #"""
    set -u
    commit=$(git -C "$1" rev-parse --short=12 HEAD 2>/dev/null) || commit=""
    if [ -n "$commit" ] && [ -n "$(git -C "$1" --no-optional-locks status --porcelain --untracked-files=no 2>/dev/null)" ]; then
      commit="$commit-dirty"
    fi
    mkdir -p "$2"
    line="let buildCommit = \"$commit\""
    [ "$(cat "$2/BuildCommit.swift" 2>/dev/null)" = "$line" ] || printf '%s\n' "$line" >"$2/BuildCommit.swift"
    """#
}
