import Foundation
import Manifest

/// A podman worker's container, named and marked from the worker and this
/// wt's state folder, and removed wherever the worker's session ends.
extension World {
  /// The label every container of this wt carries: its state folder (two
  /// wt's on one machine share podman, never each other's containers).
  public static let containerStateLabel = "wt.state"
  /// The label that names the container's tmux session.
  public static let containerSessionLabel = "wt.session"

  /// `<session>-<8 hex of the state folder>`: podman's names are one
  /// namespace per user, tmux's one per server, so the session's name alone
  /// could be another wt's container.
  public func containerName(project: String, bead: String) -> String {
    let session = WorkerNaming.session(project: project, bead: bead)
    let hash = store.directory.utf8.reduce(UInt32(2_166_136_261)) { ($0 ^ UInt32($1)) &* 16_777_619 }
    return session + "-" + String(format: "%08x", hash)
  }

  /// The `podman run` of a worker's agent, besides its layout.
  func containerRun(project: String, bead: String, image: String, passing: [String]) -> Podman.Run {
    let session = WorkerNaming.session(project: project, bead: bead)
    return Podman.Run(
      name: containerName(project: project, bead: bead), image: image,
      labels: [Self.containerStateLabel: store.directory, Self.containerSessionLabel: session],
      idFile: "\(sandboxFolder(project: project, bead: bead)).container-\(UUID().uuidString.prefix(8)).id", passing: passing,
      rootless: geteuid() != 0)
  }

  /// Beside the worker's sandbox folder (not in it: `wt done` removes the
  /// folder before its session ends): says that its agent runs in a
  /// container, so that whatever ends the worker removes it, whatever the
  /// manifest says by then.
  func containerMarker(project: String, bead: String) -> String {
    "\(sandboxFolder(project: project, bead: bead)).podman"
  }

  func markContainer(project: String, bead: String) throws {
    try containerName(project: project, bead: bead).write(toFile: containerMarker(project: project, bead: bead), atomically: true, encoding: .utf8)
  }

  /// Ends a worker's session and, when its agent ran in a container, the
  /// container, before anything reads what the agent left (its commits are
  /// brought in next): the pane's supervisor removes it when hung up, but
  /// not synchronously, and not when it was killed outright.
  public func endSession(_ session: String, project: String, bead: String) async throws {
    try await tmux.kill(session: session)
    try await removeContainer(project: project, bead: bead)
  }

  /// The worker's container removed, when it had one.
  func removeContainer(project: String, bead: String) async throws {
    let marker = containerMarker(project: project, bead: bead)
    guard FileManager.default.fileExists(atPath: marker) else { return }
    try await Podman().remove(containerName(project: project, bead: bead), runner: runner)
    try? FileManager.default.removeItem(atPath: marker)
  }

  /// Containers of this wt whose session is gone (a wt or a pane killed
  /// before it could remove them): removed, and their names returned.
  /// Listed before the sessions, so a container started meanwhile always
  /// has its session among them.
  public func removeOrphanContainers() async throws -> [String] {
    let listed = try await Podman().containers(
      labelled: Self.containerStateLabel, value: store.directory, showing: Self.containerSessionLabel, runner: runner)
    guard !listed.isEmpty else { return [] }
    let live = Set(try await tmux.panes().map(\.session))
    var removed: [String] = []
    for container in listed where !live.contains(container.value) {
      try await Podman().remove(container.id, runner: runner)
      removed.append(container.value)
    }
    return removed
  }
}

extension Manifest {
  /// Whether any worker of this manifest may run in a podman container.
  public var usesPodman: Bool {
    projects.contains { p in p.agents.contains { sandbox(for: p, agent: $0).runtime == .podman } }
  }
}
