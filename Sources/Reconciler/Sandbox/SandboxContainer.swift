import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// A podman worker's container, as the pane's `wt sandbox-exec` sees it:
/// podman's conmon keeps a container running after the `podman run` that
/// started it ends, so the supervisor removes it when it ends itself, and
/// when tmux hangs it up (kill-session, respawn-pane) or it is terminated.
/// It removes the container by the id `podman run --cidfile` wrote, never
/// by name: a restarted agent's container has the same name and may
/// already run when the old supervisor gets its hang-up.
public struct SandboxContainer: Sendable {
  /// Where `podman run --cidfile` writes the container's id.
  public var idFile: String
  /// The person's `HOME`, for podman itself (a rootless podman keeps its
  /// images under it); the session's `HOME` is the worker's.
  public var home: String?
  public var podman: Podman

  public init(idFile: String, home: String?, podman: Podman = Podman()) {
    self.idFile = idFile
    self.home = home
    self.podman = podman
  }

  /// podman's environment: the session's whole one (podman reads
  /// CONTAINERS_CONF, XDG_RUNTIME_DIR and the like; what enters the
  /// container is only what its `--env` names), with the person's HOME.
  func runtimeEnvironment(_ session: [String: String]) -> [String: String] {
    var env = session
    if let home { env["HOME"] = home }
    return env
  }

  /// Removes the container (if podman has written its id), then removes the
  /// id file.
  func remove(spawn: ([String], [String: String]) throws -> Int32, environment: [String: String]) {
    guard let id = (try? String(contentsOfFile: idFile, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines),
      !id.isEmpty
    else { return }
    _ = try? spawn(podman.removal(id), runtimeEnvironment(environment))
    unlink(idFile)
  }

  /// On SIGHUP or SIGTERM: the container removed, then this process ends
  /// as the signal would have ended it. A container started too late to
  /// have its id written is found by the next `wt apply` (its session is
  /// gone) and removed there.
  func removeOnHangUp(spawn: @escaping @Sendable ([String], [String: String]) throws -> Int32, environment: [String: String]) {
    for signo in [SIGHUP, SIGTERM] {
      signal(signo, SIG_IGN)
      let source = DispatchSource.makeSignalSource(signal: signo, queue: .global())
      source.setEventHandler {
        self.remove(spawn: spawn, environment: environment)
        _exit(128 + signo)
      }
      source.resume()
      Self.sources.append(source)
    }
  }

  /// Kept for the process's life: a source that is released stops.
  nonisolated(unsafe) static var sources: [DispatchSourceSignal] = []
}
