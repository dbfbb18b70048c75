import Foundation
import Manifest

/// podman (https://podman.io), as wt runs it: the only place that builds
/// its argument lists. It runs the agent of a worker whose `sandbox:` is
/// `{runtime: podman, image: NAME}` in a container of that image, with the
/// worker's `SandboxLayout` bound in, and removes the container when the
/// worker ends.
public struct Podman: Sendable {
  public var program: String

  public init(program: String = "podman") { self.program = program }

  /// What one container is started with, besides the layout.
  public struct Run: Sendable, Equatable {
    /// `podman run --name`: unique to the worker and this wt's state.
    public var name: String
    public var image: String
    /// Labels that mark the container as this wt's (its state folder and
    /// session: `World.containerStateLabel`), for `containers(labelled:)`.
    public var labels: [String: String]
    /// Where podman writes the container's id, for the supervisor to
    /// remove exactly this container and never a later one of that name.
    public var idFile: String?
    /// Variables (NAME or PREFIX*) the container takes from podman's own
    /// environment: what `wt sandbox-exec` keeps (SandboxSupervisor.keep).
    public var passing: [String]
    /// Not root here: `--userns keep-id`, so the files the agent writes
    /// stay the person's (rootless podman maps root inside to them
    /// otherwise, and the person's uid to an unmapped one).
    public var rootless: Bool
    /// The pane's terminal (`--interactive --tty`); not for a probe.
    public var terminal = true

    public init(
      name: String, image: String, labels: [String: String] = [:], idFile: String? = nil, passing: [String] = [],
      rootless: Bool = false
    ) {
      self.name = name
      self.image = image
      self.labels = labels
      self.idFile = idFile
      self.passing = passing
      self.rootless = rootless
    }
  }

  /// `podman run … IMAGE COMMAND`: its own PID, IPC and UTS namespaces (it
  /// cannot see or signal other workers or the person's processes; podman
  /// 4.3's defaults are private PID and UTS and a "shareable" IPC another
  /// container may join, and a containers.conf can change any of them, so
  /// each is named), `--network none` for `network: none` and the host's
  /// network for `full` (what bubblewrap's `full` is: an agent's endpoint
  /// on this machine's 127.0.0.1, a local proxy or model server, stays
  /// reachable; podman's own bridge has its own loopback), no capabilities,
  /// a read-only root and the layout's mounts in order. `--replace` ends a
  /// container of the same name left running by the agent before (a
  /// restart). Paths go to `--mount`, whose fields `,` separates (see
  /// `unexpressible`).
  public func arguments(_ layout: SandboxLayout, run: Run, command: [String], kind: (String) -> Bubblewrap.Kind) -> [String] {
    var argv = [program, "run", "--rm"] + (run.terminal ? ["--interactive", "--tty"] : []) + ["--replace", "--name", run.name]
    if let idFile = run.idFile { argv += ["--cidfile", idFile] }
    for (key, value) in run.labels.sorted(by: { $0.key < $1.key }) { argv += ["--label", "\(key)=\(value)"] }
    // catatonit as PID 1: it passes signals on to the agent (PID 1 ignores
    // those it has no handler for) and reaps what the agent leaves.
    argv += ["--init", "--pid", "private", "--ipc", "private", "--uts", "private"]
    argv += ["--network", network(layout.network)]
    if run.rootless { argv += ["--userns", "keep-id"] }
    argv += ["--cap-drop", "all", "--security-opt", "no-new-privileges", "--read-only", "--read-only-tmpfs=false"]
    for mount in layout.mounts where !(mount.optional && kind(mount.source) == .missing) {
      argv += ["--mount", "type=bind,source=\(mount.source),destination=\(mount.target)" + (mount.access == .readOnly ? ",ro=true" : "")]
    }
    // The root is the image's and read-only: a program named through a
    // link (`~/.local/bin/aider`) is bound where the link is, from where
    // it leads.
    for link in layout.links {
      argv += ["--mount", "type=bind,source=\(link.target),destination=\(link.path),ro=true"]
    }
    for path in layout.hidden {
      switch kind(path) {
      case .missing: continue
      case .file: argv += ["--mount", "type=bind,source=/dev/null,destination=\(path),ro=true"]
      case .folder: argv += ["--mount", "type=tmpfs,destination=\(path),ro=true"]
      }
    }
    // The values the layout sets, then the names kept from the session,
    // valued by podman from its own environment (never on this line).
    for (name, value) in layout.environment.sorted(by: { $0.key < $1.key }) { argv += ["--env", "\(name)=\(value)"] }
    for name in run.passing where layout.environment[name] == nil { argv += ["--env", name] }
    argv += ["--workdir", layout.directory, "--", run.image]
    return argv + command
  }

  /// `allow:` is `none` too: its one way out is a proxy reached through a
  /// bound Unix socket, never this machine's network (fail closed).
  func network(_ network: Sandbox.Network) -> String {
    switch network {
    case .offline, .allow: "none"
    case .full: "host"
    }
  }

  /// A path `--mount` cannot say (a `,` separates its fields, and a line
  /// break has no place on a command line), with what to do; nil when
  /// every path of the layout can be bound.
  public static func unexpressible(_ layout: SandboxLayout) -> String? {
    let paths = layout.mounts.flatMap { [$0.source, $0.target] } + layout.links.flatMap { [$0.path, $0.target] } + layout.hidden
      + [layout.directory]
    guard let bad = paths.first(where: { $0.contains(",") || $0.contains(where: \.isNewline) }) else { return nil }
    return "podman cannot bind \(bad): a ',' or a line break in a path cannot be said to podman run --mount; "
      + "move it to a path without one (or use sandbox: bwrap)"
  }

  /// `podman rm --force --time 0 --ignore CONTAINER`: stops it at once
  /// (the agent has nothing to save that its worktree does not hold) and
  /// removes it; nothing when there is none.
  public func removal(_ container: String) -> [String] {
    [program, "rm", "--force", "--time", "0", "--ignore", "--", container]
  }

  /// Removes a container by name or id.
  public func remove(_ container: String, runner: ProcessRunner) async throws {
    let out = try await runner.output(removal(container), timeout: .seconds(30))
    guard out.succeeded else {
      throw SandboxError("podman could not remove the container \(container): \(out.stderr.trimmingCharacters(in: .whitespacesAndNewlines))")
    }
  }

  /// The ids and `label` values of this machine's containers that carry
  /// `label=value` (wt's mark for its own state folder).
  public func containers(labelled label: String, value: String, showing shown: String, runner: ProcessRunner) async throws
    -> [(id: String, value: String)]
  {
    let format = "{{.ID}} {{index .Labels \"\(shown)\"}}"
    let out = try await runner.output(
      [program, "ps", "--all", "--no-trunc", "--filter", "label=\(label)=\(value)", "--format", format], timeout: .seconds(30))
    guard out.succeeded else { throw SandboxError("podman ps failed: \(out.stderr.trimmingCharacters(in: .whitespacesAndNewlines))") }
    return out.stdout.split(separator: "\n").compactMap { line in
      let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
      return parts.count == 2 ? (parts[0], parts[1]) : nil
    }
  }

  /// Whether `image` is on this machine (wt pulls nothing): nil when
  /// podman could not say (`podman image exists` exits 1 for a missing
  /// image, 125 when podman itself fails).
  public func hasImage(_ image: String, runner: ProcessRunner) async -> Bool? {
    guard let out = try? await runner.output([program, "image", "exists", "--", image], timeout: .seconds(20)) else { return nil }
    return out.succeeded ? true : out.status == 1 ? false : nil
  }

  /// Runs `true` in a throwaway container of the image: whether podman can
  /// start a container here at all (its runtime, cgroups, limits).
  public func probe(image: String, runner: ProcessRunner) async -> String? {
    let argv = [program, "run", "--rm", "--network", "none", "--", image, "true"]
    guard let out = try? await runner.output(argv, timeout: .seconds(60)) else { return "podman run timed out" }
    if out.succeeded { return nil }
    let lines = out.stderr.split(separator: "\n").map(String.init)
    return lines.last(where: { $0.hasPrefix("Error") }) ?? lines.last ?? "exit \(out.status)"
  }

  /// Why a container of `image` cannot run here and the command that
  /// fixes it; nil when it can. No registry is asked: the image must be on
  /// this machine already.
  public func problem(image: String, runner: ProcessRunner) async -> (reason: String, fix: String)? {
    do {
      let version = try await runner.output([program, "--version"], timeout: .seconds(10))
      guard version.succeeded else { throw SandboxError("podman --version failed") }
    } catch {
      return ("\(program) is not installed", "install it: apt-get install podman runc (Debian, Ubuntu) or dnf install podman (Fedora)")
    }
    guard await hasImage(image, runner: runner) != false else {
      return (
        "the image \(image) is not on this machine",
        "build it here (podman build -t \(image) DIR) or import one (podman import ROOTFS.tar \(image)); wt pulls nothing"
      )
    }
    if let why = await probe(image: image, runner: runner) {
      return (
        "podman cannot start a container of \(image) here (\(why))",
        "run 'podman run --rm \(image) true' until it works: a missing runtime (apt-get install runc, then [engine] runtime = \"runc\" "
          + "in containers.conf), limits the kernel refuses ([containers] default_ulimits = []), or an image without 'true'"
      )
    }
    return nil
  }
}
