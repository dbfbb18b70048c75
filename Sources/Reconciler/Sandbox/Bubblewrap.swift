import Foundation
import Manifest

/// bubblewrap (`bwrap`, https://github.com/containers/bubblewrap), as wt
/// runs it: the only place that builds its argument lists. It confines the
/// agent process of a worker whose `sandbox:` is `bwrap`.
public struct Bubblewrap: Sendable {
  /// The program, as named or found on `PATH`.
  public var program: String

  public init(program: String = "bwrap") { self.program = program }

  /// What a path on this machine is, for mounts that depend on it.
  public enum Kind: Sendable { case missing, file, folder }

  /// `bwrap … -- COMMAND`: the layout's mounts in order, its own PID, IPC
  /// and UTS namespaces (it cannot see or signal other workers or the
  /// person's processes), `--unshare-net` for `network: none`, and an end
  /// with its parent (the pane's wt). `kind` tells files from folders for
  /// the secrets hidden inside system folders.
  public func arguments(_ layout: SandboxLayout, command: [String], kind: (String) -> Kind) -> [String] {
    var argv = [program, "--die-with-parent", "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try"]
    // With an allow list the sandbox's only way out is its proxy's socket.
    switch layout.network {
    case .full: break
    case .offline, .allow: argv.append("--unshare-net")
    }
    argv += ["--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp"]
    for mount in layout.mounts {
      let verb =
        switch (mount.access, mount.optional) {
        case (.readOnly, false): "--ro-bind"
        case (.readOnly, true): "--ro-bind-try"
        case (.readWrite, false): "--bind"
        case (.readWrite, true): "--bind-try"
        }
      argv += [verb, mount.source, mount.target]
    }
    for link in layout.links { argv += ["--symlink", link.target, link.path] }
    argv += hiding(layout.hidden, kind: kind)
    // The folders made for mount points are no place to write: a write
    // to the main checkout's path must fail, not land in a throwaway copy.
    argv += ["--remount-ro", "/tmp", "--remount-ro", "/"]
    for (name, value) in layout.environment.sorted(by: { $0.key < $1.key }) { argv += ["--setenv", name, value] }
    argv += ["--chdir", layout.directory, "--"]
    return argv + command
  }

  /// A program wt runs outside a sandbox on its behalf (its proxy), which
  /// reads what the agent sends: this machine's network, the system
  /// read-only, `writable` and nothing else of the person's, its own PID
  /// namespace, and an end with its parent (the pane's wt), even a killed
  /// one.
  public func jail(_ command: [String], writable: [String], directory: String, kind: (String) -> Kind) -> [String] {
    var argv = [program, "--die-with-parent", "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try"]
    argv += ["--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp"]
    for path in SandboxLayout.system { argv += ["--ro-bind-try", path, path] }
    argv += hiding(SandboxLayout.systemSecrets, kind: kind)
    for path in writable { argv += ["--bind", path, path] }
    argv += ["--remount-ro", "/tmp", "--remount-ro", "/", "--chdir", directory, "--"]
    return argv + command
  }

  /// Files and folders made empty on top of the mounts.
  func hiding(_ paths: [String], kind: (String) -> Kind) -> [String] {
    paths.flatMap { path -> [String] in
      switch kind(path) {
      case .missing: []
      case .file: ["--ro-bind", "/dev/null", path]
      case .folder: ["--tmpfs", path, "--remount-ro", path]
      }
    }
  }

  /// Why bubblewrap cannot run here (not installed, or the kernel refuses
  /// it the namespaces it needs) and the command that fixes it; nil when it
  /// runs.
  public func problem(runner: ProcessRunner) async -> (reason: String, fix: String)? {
    let probe = [program, "--die-with-parent", "--unshare-pid", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--", "true"]
    do {
      let out = try await runner.output(probe, timeout: .seconds(10))
      if out.succeeded { return nil }
      let why = out.stderr.split(separator: "\n").first.map(String.init) ?? "exit \(out.status)"
      return (
        "the kernel refused it a sandbox (\(why))",
        "allow unprivileged user namespaces: sysctl -w kernel.unprivileged_userns_clone=1 (Debian), or kernel.apparmor_restrict_unprivileged_userns=0 (Ubuntu 24.04)"
      )
    } catch {
      return ("\(program) is not installed", "install it: apt-get install bubblewrap (Debian, Ubuntu) or dnf install bubblewrap (Fedora)")
    }
  }

  public static func kind(of path: String) -> Kind {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return .missing }
    return isDirectory.boolValue ? .folder : .file
  }
}
