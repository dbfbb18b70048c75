import Foundation

/// Why no manifest file could be found at all.
public struct ManifestNotFound: Error, CustomStringConvertible, Sendable {
  public var looked: [String]
  public var description: String {
    "no wt.yaml found (looked at \(looked.joined(separator: ", ")))\n"
      + "  hint: pass -f FILE, set WT_CONFIG, or start from examples/starter/wt.yaml"
  }
}

/// Locating: which file is the manifest, and whether the person named it.
extension ManifestLoader {
  /// `-f`, else `$WT_CONFIG`, else the manifest of the worker wt runs
  /// for, else `./wt.yaml`, else `$XDG_CONFIG_HOME/wt/wt.yaml`: the first
  /// that is given wins, and a given file that does not exist is an error
  /// rather than a fall-through.
  public func locate(explicit: String?, worker: WorkerManifest? = nil) throws(ManifestNotFound) -> String {
    try find(explicit: explicit, worker: worker).path
  }

  /// The manifest that declared a worker, as wt's state recorded it when
  /// the worker started; the caller (which reads the state) finds the
  /// worker by `$WT_WORKER` or the worktree it stands in.
  public struct WorkerManifest: Sendable {
    public var worker: String
    public var file: String
    public var fromRepository: Bool
    /// The host whose share of the file the worker is (`$WT_HOST` when it
    /// started), when another machine's wt drives this one.
    public var host: String?
    public init(worker: String, file: String, fromRepository: Bool, host: String? = nil) {
      self.worker = worker
      self.file = file
      self.fromRepository = fromRepository
      self.host = host
    }
  }

  /// The manifest to read, whether the person named it (`-f`,
  /// `$WT_CONFIG`, their config folder) rather than wt finding it as
  /// `./wt.yaml`, which may be a repository's, and why it is that file.
  public struct Found: Sendable {
    public var path: String
    public var named: Bool
    public var why: String
    /// Read as this host's share (`WT_HOST`): a worker's manifest that
    /// another machine's wt sent, found again from a shell with no
    /// `WT_HOST` of its own.
    public var host: String? = nil

    /// The loader for this file: with `WT_HOST` when it is a host's share.
    public func loader(_ base: ManifestLoader) -> ManifestLoader {
      guard let host, base.environment["WT_HOST"].map({ $0.isEmpty }) ?? true else { return base }
      var loader = base
      loader.environment["WT_HOST"] = host
      return loader
    }
  }

  public func find(explicit: String?, worker: WorkerManifest? = nil) throws(ManifestNotFound) -> Found {
    let cwd = PathResolver(home: home, directory: currentDirectory)
    if let explicit { return Found(path: cwd.resolve(explicit), named: true, why: "named with -f") }
    // wt sets WT_CONFIG in every worker; for a manifest that was a
    // repository's it says so, and such a file stays untrusted there too.
    if let env = environment["WT_CONFIG"], !env.isEmpty {
      return Found(path: cwd.resolve(env), named: environment["WT_CONFIG_ORIGIN"] != "repository", why: "named by $WT_CONFIG")
    }
    // Every worktree holds the repository's own wt.yaml: inside a worker's
    // worktree, the manifest that declared the worker decides, as it does
    // in the worker's session.
    if let worker, FileManager.default.fileExists(atPath: worker.file) {
      return Found(
        path: worker.file, named: !worker.fromRepository, why: "the manifest that declared worker \(worker.worker)",
        host: worker.host)
    }
    let local = cwd.resolve("wt.yaml")
    let configHome = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? "\(home)/.config"
    let user = (configHome as NSString).appendingPathComponent("wt/wt.yaml")
    let hasUser = FileManager.default.fileExists(atPath: user)
    if FileManager.default.fileExists(atPath: local) {
      // A repository's `project:` file is a fragment of the person's
      // manifest when theirs declares this repository: never the manifest.
      if hasUser, isProjectFragment(local), declares(user, repository: currentDirectory) {
        return Found(path: user, named: true, why: "your manifest, which declares this repository (./wt.yaml is its project: block)")
      }
      // In no repository and the person's alone: theirs, like a named file.
      if OwnManifest.isPersons(local, userConfig: user) {
        return Found(path: local, named: true, why: "./wt.yaml in the current folder (yours: no git repository holds it)")
      }
      return Found(path: local, named: false, why: "./wt.yaml in the current folder")
    }
    if hasUser { return Found(path: user, named: true, why: "your manifest") }
    throw ManifestNotFound(looked: [local, user])
  }

  /// A file with a `project:` block and no `projects:`: a repository's own.
  private func isProjectFragment(_ file: String) -> Bool {
    let reader = NodeReader(file: file)
    guard let (root, _) = parse(file, reader: reader) else { return false }
    let doc = reader.document(root, paths: PathResolver(home: home, directory: currentDirectory))
    return !doc.declaresProjects && doc.projectBlock != nil
  }

  /// Whether `manifest` lists a project at `repository` (links resolved).
  private func declares(_ manifest: String, repository: String) -> Bool {
    let reader = NodeReader(file: manifest)
    guard let (root, _) = parse(manifest, reader: reader) else { return false }
    let paths = PathResolver(home: home, directory: (manifest as NSString).deletingLastPathComponent)
    let here = Self.real(repository)
    return reader.document(root, paths: paths).projects.contains { $0.fields.path.map { Self.real($0.value) } == here }
  }

  static func real(_ path: String) -> String {
    guard let resolved = realpath(path, nil) else { return path }
    defer { free(resolved) }
    return String(cString: resolved)
  }
}
