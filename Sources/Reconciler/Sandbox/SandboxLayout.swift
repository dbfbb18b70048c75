import Foundation
import Manifest

/// What a sandboxed worker's agent sees: one list of mounts derived from
/// the worker (bubblewrap binds, podman bind mounts) and shown by `wt
/// diff`. A pure function of `SandboxedWorker` and the sandbox: the runtime
/// decides only where the system comes from (this machine's folders for
/// bubblewrap, the image for podman).
///
/// The rule: read-write only what is the worker's own (its worktree, its
/// per-worktree git folder, a store for the objects it makes, its home, the
/// beads database through `BEADS_DIR`); read-only the system, the
/// repository's shared git folder (objects, refs, config, hooks) and the
/// programs it runs; nothing else exists inside (the person's home, other
/// worktrees, the main checkout's files, wt's state and tmux sockets).
/// Commits go to the worker's own ref (`refs/worktree/<branch>`) and object
/// store; wt, outside, brings them in and moves only the worker's branch
/// (`Git.bringIn`). See README, "Sandboxed workers".
public struct SandboxLayout: Hashable, Sendable {
  public enum Access: String, Hashable, Sendable { case readOnly = "ro", readWrite = "rw" }

  public struct Mount: Hashable, Sendable {
    public var source: String
    public var target: String
    public var access: Access
    /// Mounted only when the source exists (system folders differ between
    /// distributions).
    public var optional = false
    /// Why it is there, for `wt diff`.
    public var purpose: String
  }

  /// A path that is a link outside, made a link inside too.
  public struct Link: Hashable, Sendable {
    public var path: String
    public var target: String
  }

  /// In order: a later mount covers what an earlier one shows.
  public var mounts: [Mount]
  /// Made after the mounts, where no mount shows the path already.
  public var links: [Link] = []
  /// Files and folders made empty on top of the mounts (secrets that live
  /// in a folder the agent needs, such as `/etc/shadow`).
  public var hidden: [String]
  /// Set inside, besides the session's environment.
  public var environment: [String: String]
  /// Where the agent starts.
  public var directory: String
  public var network: Sandbox.Network
  /// The socket `wt signal`, `wt prime` and `wt done` reach wt through.
  public var socket: String
  /// The way out with `network: {allow: [...]}`; nil otherwise.
  public var proxy: SandboxProxy? = nil

  /// Where wt itself is inside, first on `PATH`.
  public static let wtFolder = "/run/wt/bin"
  /// Folders of the system every agent needs, read-only.
  public static let system = ["/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc", "/run/systemd/resolve"]
  /// bd's redirect file in `.beads`.
  public static let beadsRedirect = "redirect"
  /// What wt writes there when there is none: a comment, which bd skips.
  public static let beadsRedirectNone = "# wt: no redirect. wt binds this file read-only into sandboxed workers, so that no agent can send bd elsewhere.\n"
  /// Secrets inside `system` that no agent needs.
  public static let systemSecrets = ["/etc/shadow", "/etc/gshadow", "/etc/sudoers", "/etc/ssh"]

  public static func derive(_ w: SandboxedWorker, sandbox: Sandbox) -> SandboxLayout {
    let proxy = SandboxProxy.derive(w, network: sandbox.network)
    var mounts = systemMounts(sandbox.runtime, network: sandbox.network)
    func add(_ path: String, _ access: Access, _ purpose: String, optional: Bool = false) {
      mounts.append(Mount(source: path, target: path, access: access, optional: optional, purpose: purpose))
    }
    // A program inside a folder that is already shown (a venv's own
    // script) is not bound again on top of it.
    let programs = w.programs.map { ProgramSupport.Part(path: $0, purpose: "program") } + w.support
    let folders = Set(programs.map(\.path))
    for part in programs where !Self.isSystem(part.path) && !Self.inside(part.path, any: folders) {
      if !mounts.contains(where: { $0.target == part.path }) { add(part.path, .readOnly, part.purpose) }
    }
    // `wt` by name, as the prompt says it (`wt done`), whatever the
    // person's PATH holds: only wt's own folder is added inside.
    mounts.append(Mount(source: w.wt, target: "\(Self.wtFolder)/wt", access: .readOnly, purpose: "wt, for wt signal, prime and done"))
    for path in sandbox.readOnly { add(path, .readOnly, "read_only") }
    // The shared git folder, read-only: objects to read, refs to resolve,
    // the repository's config and hooks. Never writable: one worker could
    // delete or move another's work.
    add(w.commonDirectory, .readOnly, "the repository's git folder (objects, refs, config)")
    mounts += w.gitViewMounts
    add(w.worktree, .readWrite, "the worktree")
    // Its index, HEAD and own ref (refs/worktree/*); the files that say
    // which repository it belongs to stay as wt wrote them, so that git
    // run by wt outside is never sent to a repository the agent made.
    add(w.gitDirectory, .readWrite, "the worktree's own git folder (index, HEAD, refs/worktree)")
    add("\(w.gitDirectory)/commondir", .readOnly, "which repository the worktree belongs to")
    add("\(w.gitDirectory)/gitdir", .readOnly, "which repository the worktree belongs to")
    // git reads it as config when the repository sets
    // extensions.worktreeConfig (git sparse-checkout does): a command in
    // it (core.fsmonitor) would run as the person at wt's next git there.
    add("\(w.gitDirectory)/config.worktree", .readOnly, "the worktree's own git config")
    add("\(w.worktree)/.git", .readOnly, "which repository the worktree belongs to")
    add(w.objects, .readWrite, "the objects its commits make (GIT_OBJECT_DIRECTORY)")
    if let beads = w.beadsDirectory {
      add(beads, .readWrite, "the beads database (BEADS_DIR)")
      // Where every bd of the repository looks (yours too) and how it
      // reads the database: the agent may change the issues, never that.
      // wt makes the redirect (a comment, which bd ignores) before a start,
      // so that no agent can make one (bd's FollowRedirect,
      // internal/beads/beads.go).
      add("\(beads)/\(Self.beadsRedirect)", .readOnly, "where bd looks (.beads/redirect): not the agent's to change")
      for name in ["metadata.json", "config.yaml"] { add("\(beads)/\(name)", .readOnly, "bd's settings", optional: true) }
    }
    add(w.home, .readWrite, "the agent's own home for this worker")
    add(w.temporary, .readWrite, "its temporary files (TMPDIR)")
    add(w.run, .readOnly, "wt's socket for wt signal, prime and done\(proxy == nil ? "" : ", and its proxy's")")
    for path in sandbox.readWrite { add(path, .readWrite, "read_write") }
    let shown = Set(mounts.map(\.target))
    let links = w.links.sorted { $0.key < $1.key }.filter { !isSystem($0.key) && !shown.contains($0.key) && !inside($0.key, any: shown) }
    return SandboxLayout(
      mounts: mounts, links: links.map { Link(path: $0.key, target: $0.value) },
      hidden: sandbox.runtime == .bwrap ? Self.systemSecrets : [],
      environment: environment(w, sandbox: sandbox, proxy: proxy), directory: w.worktree, network: sandbox.network,
      socket: "\(w.run)/wt.sock", proxy: proxy)
  }

  /// Set inside: wt first on `PATH`, the worker's own home, object store
  /// and temporary folder, the socket, and the proxy's variables.
  static func environment(_ w: SandboxedWorker, sandbox: Sandbox, proxy: SandboxProxy?) -> [String: String] {
    var env = [
      "PATH": Self.wtFolder + (w.path.isEmpty ? "" : ":\(w.path)"),
      "HOME": w.home,
      "GIT_OBJECT_DIRECTORY": w.objects,
      "GIT_ALTERNATE_OBJECT_DIRECTORIES": "\(w.commonDirectory)/objects",
      "WT_SANDBOX_SOCKET": "\(w.run)/wt.sock",
      "WT_SANDBOX": sandbox.runtime.rawValue,
      "TMPDIR": w.temporary,
      // The identity wt copied from the person's, read-only: `git config
      // --global` cannot change what the person's git does.
      "GIT_CONFIG_GLOBAL": w.gitConfig,
    ]
    if let beads = w.beadsDirectory { env["BEADS_DIR"] = beads }
    env.merge(proxy?.environment ?? [:]) { _, proxied in proxied }
    return env
  }

  /// Whether `path` lies below one of `folders` (not equal to it).
  static func inside(_ path: String, any folders: Set<String>) -> Bool {
    var parent = (path as NSString).deletingLastPathComponent
    while parent != "/" && !parent.isEmpty {
      if folders.contains(parent) { return true }
      parent = (parent as NSString).deletingLastPathComponent
    }
    return false
  }

  /// This machine's system folders, read-only, for bubblewrap; none for a
  /// container, whose system is its image's (this machine's `/etc` never
  /// enters it, so it has no secrets of the person's to hide). Programs
  /// outside the system folders (the agent, wt, bd) are bound either way.
  static func systemMounts(_ runtime: Sandbox.Runtime, network: Sandbox.Network = .full) -> [Mount] {
    guard runtime == .bwrap else { return [] }
    // systemd-resolved's folder holds its Varlink socket
    // (io.systemd.Resolve), which resolves any name on the host's network:
    // without a network of its own, a sandbox could still send data out
    // in the names it asks for. Only `network: full` needs the folder.
    let shown = network == .full ? system : system.filter { $0 != resolved }
    return shown.map { Mount(source: $0, target: $0, access: .readOnly, optional: true, purpose: "system") }
  }

  /// systemd-resolved's folder (`/etc/resolv.conf` links into it).
  static let resolved = "/run/systemd/resolve"

  static func isSystem(_ path: String) -> Bool {
    system.contains { path == $0 || path.hasPrefix($0 + "/") } && !path.hasPrefix("/etc/")
  }
}

/// The facts a worker's sandbox is derived from, gathered outside it.
public struct SandboxedWorker: Hashable, Sendable {
  public var worker: String
  public var worktree: String
  /// `<common>/worktrees/<id>`: the worktree's index, HEAD, own refs.
  public var gitDirectory: String
  /// The repository's shared git folder.
  public var commonDirectory: String
  public var beadsDirectory: String?
  /// wt's folder for this worker (`<state>/sandbox/<worker>`).
  public var own: String
  /// Executables the agent runs that may live outside the system folders:
  /// the agent, wt (for its hooks), bd; and the libraries they load.
  public var programs: [String]
  /// What the interpreted ones among them need (`ProgramSupport`): their
  /// interpreters, environments and installations.
  public var support: [ProgramSupport.Part]
  /// Where a program is named (on `PATH`, or as written) when that is a
  /// link: the link's path and the program's real path.
  public var links: [String: String]
  /// This wt's executable, and the session's `PATH`.
  public var wt: String
  public var path: String

  public init(
    worker: String, worktree: String, gitDirectory: String, commonDirectory: String, beadsDirectory: String?,
    own: String, programs: [String], wt: String, path: String, support: [ProgramSupport.Part] = [],
    links: [String: String] = [:]
  ) {
    self.support = support
    self.links = links
    self.wt = wt
    self.path = path
    self.worker = worker
    self.worktree = worktree
    self.gitDirectory = gitDirectory
    self.commonDirectory = commonDirectory
    self.beadsDirectory = beadsDirectory
    self.own = own
    self.programs = programs
  }

  public var objects: String { "\(own)/objects" }
  public var home: String { "\(own)/home" }
  public var run: String { "\(own)/run" }
  public var temporary: String { "\(own)/tmp" }
  /// Its global git config (`user.name`, `user.email`), in `run`.
  public var gitConfig: String { "\(own)/run/gitconfig" }
}
