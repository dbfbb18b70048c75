/// `sandbox:`: where a worker's agent runs. The tmux session stays on this
/// machine; only the agent process (and what it starts) is confined, so
/// delivery, screens and attach are unchanged. Written on a project, an
/// agent profile or under `settings:`; the most specific one wins
/// (`Manifest.sandbox(for:agent:)`).
public struct Sandbox: Hashable, Sendable {
  public enum Runtime: String, Hashable, Sendable, CaseIterable {
    /// The agent runs as the person does (wt's behaviour before sandboxes).
    case none
    /// bubblewrap (https://github.com/containers/bubblewrap): namespaces
    /// and bind mounts, no image.
    case bwrap
    /// A rootless container from an image the person names.
    case podman
  }

  /// The sandbox's way out.
  public enum Network: Hashable, Sendable {
    case full
    /// Only its own loopback (`network: none`; not spelled `none` in Swift,
    /// where `.none` in an optional would read as nil).
    case offline
    /// Only these domains, through a filtering proxy.
    case allow([String])

    public var label: String {
      switch self {
      case .full: "full"
      case .offline: "none"
      case .allow(let domains): "allow \(domains.joined(separator: ", "))"
      }
    }
  }

  public var runtime: Runtime
  /// The container image (podman only).
  public var image: String?
  public var network: Network
  /// Extra paths the agent may read (toolchains, caches), absolute.
  public var readOnly: [String]
  /// Extra paths the agent may write, absolute.
  public var readWrite: [String]
  /// Where it was written, for `wt validate`'s errors; nil for the default.
  public var file: String?
  public var mark: Mark?

  public init(
    runtime: Runtime, image: String? = nil, network: Network = .full, readOnly: [String] = [], readWrite: [String] = [],
    file: String? = nil, mark: Mark? = nil
  ) {
    self.runtime = runtime
    self.image = image
    self.network = network
    self.readOnly = readOnly
    self.readWrite = readWrite
    self.file = file
    self.mark = mark
  }

  /// No sandbox: today's behaviour.
  public static let off = Sandbox(runtime: .none)

  public var isOn: Bool { runtime != .none }
}

extension Manifest {
  /// The sandbox of a worker of `project` running `agent`: the project's,
  /// else the agent profile's, else `settings:`'s, else none.
  public func sandbox(for project: Project, agent: String) -> Sandbox {
    project.sandbox ?? agents[agent]?.sandbox ?? settings.sandbox ?? .off
  }

  /// The sandbox a project's `setup` and `gate` run in: its own `sandbox:`,
  /// else the first of its agents' that is on, else `settings:`'s. The
  /// gate runs the code its agents wrote, so any sandboxed agent makes the
  /// gate sandboxed too.
  public func commandSandbox(for project: Project) -> Sandbox {
    project.sandbox ?? project.agents.lazy.compactMap { self.agents[$0]?.sandbox }.first(where: \.isOn) ?? settings.sandbox ?? .off
  }
}
