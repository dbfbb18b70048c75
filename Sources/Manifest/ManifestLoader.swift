import Foundation

/// The outcome of reading a manifest: a model when there is no error, and
/// every diagnostic found (warnings can come with a model).
public struct LoadResult: Sendable {
  public var manifest: Manifest?
  public var diagnostics: [Diagnostic]
  /// Where each project's path and base were written, by project name, for
  /// what is checked after loading against the repository itself (git
  /// facts, which this module does not ask).
  public var sources: [String: ProjectSource] = [:]
}

/// Where a project's path and base were written.
public struct ProjectSource: Hashable, Sendable {
  public struct Position: Hashable, Sendable {
    public var file: String
    public var mark: Mark
  }
  public var path: Position
  /// Nil when no file sets `base`: the repository's default branch applies.
  public var base: Position?
}

/// Why no manifest file could be found at all.
public struct ManifestNotFound: Error, CustomStringConvertible, Sendable {
  public var looked: [String]
  public var description: String {
    "no wt.yaml found (looked at \(looked.joined(separator: ", ")))\n"
      + "  hint: pass -f FILE, set WT_CONFIG, or start from examples/starter/wt.yaml"
  }
}

/// Finds and reads wt.yaml: discovery, YAML, validation, the repositories'
/// own `project:` blocks, defaults and path resolution.
public struct ManifestLoader: Sendable {
  public var environment: [String: String]
  public var currentDirectory: String
  /// For a glance (`status`, `watch`): a project whose folder is missing
  /// is kept, not an error, so the others' workers are still shown;
  /// `RepositoryCheck.checkKeepingProjects` names it.
  public var keepingMissingPaths = false

  public init(
    environment: [String: String],
    currentDirectory: String = FileManager.default.currentDirectoryPath
  ) {
    self.environment = environment
    self.currentDirectory = currentDirectory
  }

  var home: String { environment["HOME"] ?? NSHomeDirectory() }

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

  /// `named`: the person named this file (`-f`, `$WT_CONFIG`, their
  /// config folder). A file found as `./wt.yaml` was not named: it may be a
  /// repository's, so what it would run waits for `wt trust`.
  /// `standingFor`: the file this one is a draft of (a new version written
  /// beside it before it replaces it), named in diagnostics instead of the
  /// draft, which the person never had.
  public func load(file: String, named: Bool = true, standingFor original: String? = nil) -> LoadResult {
    let shown = original ?? file
    let display = displayName(shown)
    let reader = NodeReader(file: display)
    guard let (root, text) = parse(file, reader: reader) else {
      return LoadResult(manifest: nil, diagnostics: reader.diagnostics.sorted())
    }
    let directory = (file as NSString).deletingLastPathComponent
    let paths = PathResolver(home: home, directory: directory, dataHome: environment["XDG_DATA_HOME"])
    let doc = reader.document(root, paths: paths)
    var diagnostics = reader.diagnostics

    var entries = doc.projects
    let repositoryFile = !doc.declaresProjects && doc.projectBlock != nil
    if !doc.declaresProjects, let block = doc.projectBlock {
      // A repository's own wt.yaml used on its own: one project, named for
      // its folder.
      var fields = block
      fields.path = Located(value: directory, file: display, mark: root.mark)
      entries = [((directory as NSString).lastPathComponent, root.mark, fields)]
    }
    if entries.isEmpty {
      diagnostics.append(Diagnostic(file: display, mark: root.mark, problem: .noProjects))
    }

    // `$WT_HOST`: this wt runs on that host for the wt that drives it, so
    // its projects are the ones that name the host, with its settings.
    let perspective = environment["WT_HOST"].flatMap { $0.isEmpty ? nil : $0 }
    var settings = doc.settings
    if let perspective {
      if let host = doc.hosts.first(where: { $0.host.name == perspective })?.host {
        settings = doc.settings.seen(from: host, paths: paths)
      } else {
        diagnostics.append(Diagnostic(file: display, mark: root.mark, problem: .notThisHost(perspective)))
      }
    }
    var remote: [RemoteProject] = []

    var projects: [Project] = []
    var sources: [String: ProjectSource] = [:]
    for entry in entries {
      let host = entry.fields.host.flatMap { $0.value == RemoteHost.local ? nil : $0.value }
      if host != perspective {
        // Another machine's project: its wt there checks the rest.
        if perspective == nil, let host, let path = entry.fields.pathAsWritten {
          remote.append(RemoteProject(name: entry.name, host: host, path: path.value))
        }
        continue
      }
      var fields = entry.fields
      var fragment: (path: String, text: String, fields: ProjectFields)?
      var refusedFragment: String?
      if doc.declaresProjects, let path = fields.path?.value {
        let (found, repoDiagnostics) = repositoryBlock(in: path, manifest: shown, agents: doc.agents)
        // A repository's broken file stops its own project, not every
        // project: its problems are warnings, and its project waits.
        if repoDiagnostics.hasErrors || repoDiagnostics.contains(where: { if case .repositoryFileIgnored = $0.problem { true } else { false } }) {
          let repoFile = (path as NSString).appendingPathComponent("wt.yaml")
          refusedFragment = repoFile
          diagnostics += repoDiagnostics.map { d in
            guard d.severity == .error else { return d }
            return Diagnostic(file: d.file, mark: d.mark, problem: .repositoryFileIgnored(path: repoFile, reason: d.message))
          }
        } else {
          diagnostics += repoDiagnostics
        }
        if let found, refusedFragment == nil {
          fragment = found
          fields = fields.filling(from: found.fields)
        }
      }
      fields = fields.filling(from: doc.defaults)
      let (project, problems) = resolve(entry.name, fields, agents: doc.agents)
      diagnostics += problems
      guard var project else { continue }
      if let path = fields.path {
        sources[project.name] = ProjectSource(
          path: .init(file: path.file, mark: path.mark), base: fields.base.map { .init(file: $0.file, mark: $0.mark) })
      }
      if let fragment {
        // Whatever the repository's block supplied, the person's entry
        // having left it open, takes effect on its say-so: all of it waits
        // for trust (a prompt or an empty gate is as much the repository's
        // word as a setup command).
        let commands = Self.supplied(by: fragment.fields, over: entry.fields)
        if !commands.isEmpty { project.foreign = ForeignFile(path: fragment.path, content: fragment.text, commands: commands) }
      } else if let refused = refusedFragment {
        project.foreign = ForeignFile(path: refused, content: "", commands: ["nothing until the file can be read (see the warning)"])
      }
      projects.append(project)
    }

    // The same folder twice; two checkouts of one repository are found with
    // git, after loading (RepositoryCheck). The error goes at both entries.
    var owners: [String: (name: String, path: String, at: Diagnostic)] = [:]
    for project in projects {
      guard let entry = entries.first(where: { $0.name == project.name }) else { continue }
      let real = Self.real(project.path)
      let here = { (other: String) in
        Diagnostic(file: entry.fields.path?.file ?? display, mark: entry.fields.path?.mark ?? entry.mark,
          problem: .sharedRepository(path: project.path, other: other))
      }
      if let first = owners[real] {
        diagnostics.append(here(first.name))
        var back = first.at
        back.problem = .sharedRepository(path: first.path, other: project.name)
        if !diagnostics.contains(where: { $0.file == back.file && $0.mark == back.mark }) { diagnostics.append(back) }
      } else {
        owners[real] = (project.name, project.path, here(""))
      }
    }

    diagnostics.sort()
    guard !diagnostics.hasErrors else { return LoadResult(manifest: nil, diagnostics: diagnostics, sources: sources) }
    var manifest = Manifest(file: file, settings: settings, agents: doc.agents, projects: projects)
    manifest.hosts = doc.hosts.map(\.host)
    manifest.remoteProjects = remote
    manifest.perspective = perspective
    if repositoryFile || !named {
      let commands = Self.commands(of: manifest, declaredAgents: declaredAgents(root))
      if !commands.isEmpty { manifest.foreign = ForeignFile(path: file, content: text, commands: commands) }
    }
    return LoadResult(manifest: manifest, diagnostics: diagnostics, sources: sources)
  }

  /// Every field a repository's block supplies that the person's entry
  /// does not set, as a person reads it.
  static func supplied(by repo: ProjectFields, over mine: ProjectFields) -> [String] {
    var out: [String] = []
    if mine.setup == nil, let v = repo.setup { out += v.isEmpty ? ["setup: (none)"] : v.map { "setup: \(Project.shellWords($0))" } }
    if mine.gate == nil, let v = repo.gate { out += v.isEmpty ? ["gate: (none)"] : v.map { "gate: \(Project.shellWords($0))" } }
    if mine.copy == nil, let v = repo.copy { out += v.map { "copy: \($0)" } }
    if mine.portEnv == nil, let v = repo.portEnv { out.append("port_env: \(v)") }
    // Files `wt done` deletes with the worktree: a repository could name
    // the person's edited `.env` or database.
    if mine.disposable == nil, let v = repo.disposable { out += v.map { "disposable: \($0)" } }
    if mine.prompt == nil, let v = repo.prompt { out.append("prompt: \(v.source.debugDescription)") }
    if mine.agent == nil, let v = repo.agent { out.append("agent: \(v.value)") }
    if mine.agentByLabel == nil, let v = repo.agentByLabel {
      out += v.map { "agent_by_label: \($0.value.label) → \($0.value.agent)" }
    }
    if mine.onDone == nil, let v = repo.onDone { out.append("on_done: \(v.rawValue)") }
    if mine.select == nil, repo.select != nil { out.append("select: (its own selection of beads)") }
    if mine.base == nil, let v = repo.base { out.append("base: \(v.value)") }
    if mine.workers == nil, let v = repo.workers { out.append("workers: \(v)") }
    return out
  }

  /// What a whole manifest would make wt do beyond its defaults: the
  /// repositories it names (git runs their hooks and config), its `bd`, its
  /// `notify`, the agents it declares, and its projects' commands.
  static func commands(of m: Manifest, declaredAgents: [String]) -> [String] {
    var out = m.projects.map { "project \($0.name): \($0.path)" }
    // ssh runs with the person's keys, and the host's wt runs what the
    // file says there.
    out += m.hosts.map { "host \($0.name): ssh \($0.ssh)" + ($0.sshConfig.map { " -F \($0)" } ?? "") }
    out += m.remoteProjects.map { "project \($0.name) on host \($0.host): \($0.path)" }
    if m.settings.bd != Settings(worktreeRoot: "").bd { out.append("bd: \(m.settings.bd)") }
    if !m.settings.notify.isEmpty { out.append("notify: \(Project.shellWords(m.settings.notify.map(\.source)))") }
    for name in declaredAgents.sorted() {
      guard let p = m.agents[name] else { continue }
      out.append("agent \(name): \(Project.shellWords(p.command))")
      if !p.resume.isEmpty { out.append("agent \(name) resume: \(Project.shellWords(p.resume.map(\.source)))") }
      for (k, v) in p.env.sorted(by: { $0.key < $1.key }) { out.append("agent \(name) env: \(k)=\(v)") }
      if let keep = p.passEnv, !keep.isEmpty { out.append("agent \(name) pass_env: \(keep.joined(separator: " "))") }
      // Files wt writes for the agent: hooks in the worktree run commands,
      // a trust seed tells the agent to trust it.
      if p.hooks != .none { out.append("agent \(name) hooks: \(p.hooks.rawValue)") }
      if p.trustSeed != .none { out.append("agent \(name) trust_seed: \(p.trustSeed.rawValue)") }
    }
    for p in m.projects { out += p.commandsToRun.map { "\(p.name) \($0)" } }
    return out
  }

  /// Names under `agents:` in the file itself.
  private func declaredAgents(_ root: YAMLNode) -> [String] {
    guard case .mapping(let pairs) = root.kind else { return [] }
    for pair in pairs where pair.key.scalar == "agents" {
      if case .mapping(let agents) = pair.value.kind { return agents.compactMap { $0.key.scalar } }
    }
    return []
  }

  private func parse(_ file: String, reader: NodeReader) -> (YAMLNode, String)? {
    let text: String
    var info = stat()
    if stat(file, &info) == 0, info.st_mode & S_IFMT != S_IFREG {
      reader.report(.cannotRead(path: file, reason: "it is not a regular file"), at: Mark(line: 1, column: 1))
      return nil
    }
    do {
      let data = try Data(contentsOf: URL(fileURLWithPath: file))
      if data.count > YAMLParser.maxBytes {
        reader.report(.yaml(.tooLarge(bytes: data.count, limit: YAMLParser.maxBytes)), at: Mark(line: 1, column: 1))
        return nil
      }
      text = String(decoding: data, as: UTF8.self)
    } catch {
      reader.report(.cannotRead(path: file, reason: Self.reason(error)), at: Mark(line: 1, column: 1))
      return nil
    }
    do {
      return (try YAMLParser.parse(text), text)
    } catch {
      reader.report(error)
      return nil
    }
  }

  /// The `project:` block of `<repo>/wt.yaml`, when the repository has one,
  /// with the file's path and text.
  private func repositoryBlock(in repo: String, manifest: String, agents: [String: AgentProfile])
    -> ((path: String, text: String, fields: ProjectFields)?, [Diagnostic])
  {
    let file = (repo as NSString).appendingPathComponent("wt.yaml")
    var info = stat()
    guard file != manifest, lstat(file, &info) == 0 else { return (nil, []) }
    // A link could point at another repository's trusted file, or at a
    // device that never ends.
    guard info.st_mode & S_IFMT == S_IFREG else {
      let what = info.st_mode & S_IFMT == S_IFLNK ? "it is a symbolic link" : "it is not a regular file"
      return (nil, [Diagnostic(file: displayName(file), mark: Mark(line: 1, column: 1), problem: .repositoryFileIgnored(path: file, reason: what))])
    }
    let reader = NodeReader(file: displayName(file))
    guard let (root, text) = parse(file, reader: reader) else { return (nil, reader.diagnostics) }
    let paths = PathResolver(home: home, directory: repo, dataHome: environment["XDG_DATA_HOME"])
    let doc = reader.document(root, paths: paths)
    return (doc.projectBlock.map { (file, text, $0) }, reader.diagnostics)
  }

  private func resolve(_ name: String, _ f: ProjectFields, agents: [String: AgentProfile]) -> (Project?, [Diagnostic]) {
    var problems: [Diagnostic] = []
    guard let path = f.path else { return (nil, problems) }
    var isDirectory: ObjCBool = false
    if !keepingMissingPaths, !FileManager.default.fileExists(atPath: path.value, isDirectory: &isDirectory) || !isDirectory.boolValue {
      problems.append(Diagnostic(file: path.file, mark: path.mark, problem: .pathNotFound(key: "path", path: path.value)))
    }
    let agent = f.agent?.value ?? Defaults.agent
    if let located = f.agent, agents[agent] == nil {
      problems.append(
        Diagnostic(
          file: located.file, mark: located.mark, problem: .unknownAgent(agent, known: agents.keys.sorted())))
    }
    for located in f.agentByLabel ?? [] where agents[located.value.agent] == nil {
      problems.append(
        Diagnostic(
          file: located.file, mark: located.mark,
          problem: .unknownAgent(located.value.agent, known: agents.keys.sorted())))
    }
    var project = Project(
      name: name, path: path.value, base: f.base?.value ?? Defaults.base, workers: f.workers ?? Defaults.workers,
      agent: agent, onDone: f.onDone ?? Defaults.onDone, prompt: f.prompt ?? .literal(Defaults.prompt),
      select: f.select ?? Selection(), copy: f.copy ?? [], setup: f.setup ?? [], gate: f.gate ?? [],
      portEnv: f.portEnv, disposable: f.disposable ?? [])
    project.agentByLabel = (f.agentByLabel ?? []).map(\.value)
    return (project, problems)
  }

  /// Paths under the current folder are shown relative, as compilers do,
  /// so `wt.yaml:3:5` reads naturally; others stay absolute.
  private func displayName(_ file: String) -> String {
    let prefix = currentDirectory.hasSuffix("/") ? currentDirectory : currentDirectory + "/"
    return file.hasPrefix(prefix) ? String(file.dropFirst(prefix.count)) : file
  }

  private static func reason(_ error: Error) -> String {
    let ns = error as NSError
    if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError { return underlying.localizedDescription }
    return ns.localizedDescription
  }
}
