import Foundation
import Manifest

/// Whether this machine can run the sandboxes a manifest asks for, checked
/// by `wt validate` before anything starts: each problem is a diagnostic
/// at the `sandbox:` that asks, with the command that fixes it.
public enum SandboxCheck {
  public static func check(_ result: LoadResult, runner: ProcessRunner) async -> LoadResult {
    guard let manifest = result.manifest else { return result }
    var asked: [Sandbox] = []
    for project in manifest.projects {
      for agent in project.agents {
        let s = manifest.sandbox(for: project, agent: agent)
        if s.isOn && !asked.contains(s) { asked.append(s) }
      }
    }
    var out = result
    for sandbox in asked {
      for problem in await problems(sandbox, runner: runner) {
        out.diagnostics.append(Diagnostic(file: sandbox.file ?? manifest.file, mark: sandbox.mark ?? Mark(line: 1, column: 1), problem: problem))
      }
    }
    out.diagnostics.sort()
    if out.diagnostics.hasErrors { out.manifest = nil }
    return out
  }

  /// The problems of these sandboxes, as diagnostics at their `sandbox:`
  /// (`wt diff`, for the sandboxes of the workers it would start).
  public static func diagnostics(_ sandboxes: [Sandbox], manifest: Manifest, runner: ProcessRunner) async -> [Diagnostic] {
    var out: [Diagnostic] = []
    for sandbox in sandboxes {
      for problem in await problems(sandbox, runner: runner) {
        out.append(Diagnostic(file: sandbox.file ?? manifest.file, mark: sandbox.mark ?? Mark(line: 1, column: 1), problem: problem))
      }
    }
    return out.sorted()
  }

  static func problems(_ sandbox: Sandbox, runner: ProcessRunner) async -> [Problem] {
    var found: [Problem] = []
    switch sandbox.runtime {
    case .none: return []
    case .bwrap:
      if let (reason, fix) = await NativeSandbox.problem(runner: runner) {
        found.append(.sandboxUnavailable(runtime: "bwrap", reason: reason, fix: fix))
      }
    case .podman:
      if let (reason, fix) = await Podman().problem(image: sandbox.image ?? "", runner: runner) {
        found.append(.sandboxUnavailable(runtime: "podman", reason: reason, fix: fix))
      }
    }
    if case .allow = sandbox.network {
      found.append(
        .sandboxUnavailable(
          runtime: sandbox.runtime.rawValue, reason: "network: {allow: [...]} is not built yet (its filtering proxy)",
          fix: "use network: none, or network: full"))
    }
    for path in sandbox.readOnly + sandbox.readWrite where !FileManager.default.fileExists(atPath: path) {
      found.append(.pathNotFound(key: sandbox.readOnly.contains(path) ? "read_only" : "read_write", path: path))
    }
    return found
  }
}
