import Foundation

/// The outcome of reading a manifest: a model when there is no error, and
/// every diagnostic found (warnings can come with a model).
public struct LoadResult: Sendable {
  public var manifest: Manifest?
  public var diagnostics: [Diagnostic]
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

  public init(
    environment: [String: String] = ProcessInfo.processInfo.environment,
    currentDirectory: String = FileManager.default.currentDirectoryPath
  ) {
    self.environment = environment
    self.currentDirectory = currentDirectory
  }

  var home: String { environment["HOME"] ?? NSHomeDirectory() }

  /// `-f`, else `$WT_CONFIG`, else `./wt.yaml`, else
  /// `$XDG_CONFIG_HOME/wt/wt.yaml`: the first that is given wins, and a
  /// given file that does not exist is an error rather than a fall-through.
  public func locate(explicit: String?) throws(ManifestNotFound) -> String {
    try find(explicit: explicit).path
  }

  /// The manifest's path, and whether the person named it (`-f`,
  /// `$WT_CONFIG`, their config folder) rather than wt finding it as
  /// `./wt.yaml`, which may be a repository's.
  public func find(explicit: String?) throws(ManifestNotFound) -> (path: String, named: Bool) {
    let cwd = PathResolver(home: home, directory: currentDirectory)
    if let explicit { return (cwd.resolve(explicit), true) }
    // wt sets WT_CONFIG in every worker; for a manifest that was a
    // repository's it says so, and such a file stays untrusted there too.
    if let env = environment["WT_CONFIG"], !env.isEmpty {
      return (cwd.resolve(env), environment["WT_CONFIG_ORIGIN"] != "repository")
    }
    let local = cwd.resolve("wt.yaml")
    let configHome = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? "\(home)/.config"
    let user = (configHome as NSString).appendingPathComponent("wt/wt.yaml")
    if FileManager.default.fileExists(atPath: local) { return (local, false) }
    if FileManager.default.fileExists(atPath: user) { return (user, true) }
    throw ManifestNotFound(looked: [local, user])
  }

  /// `named`: the person named this file (`-f`, `$WT_CONFIG`, their
  /// config folder). A file found as `./wt.yaml` was not named: it may be a
  /// repository's, so what it would run waits for `wt trust`.
  public func load(file: String, named: Bool = true) -> LoadResult {
    let display = displayName(file)
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

    var projects: [Project] = []
    for entry in entries {
      var fields = entry.fields
      var fragment: (path: String, text: String, fields: ProjectFields)?
      var refusedFragment: String?
      if doc.declaresProjects, let path = fields.path?.value {
        let (found, repoDiagnostics) = repositoryBlock(in: path, manifest: file, agents: doc.agents)
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

    var owners: [String: String] = [:]
    for project in projects {
      guard let entry = entries.first(where: { $0.name == project.name }) else { continue }
      let real = URL(fileURLWithPath: project.path).resolvingSymlinksInPath().standardizedFileURL.path
      if let other = owners[real] {
        diagnostics.append(
          Diagnostic(file: entry.fields.path?.file ?? display, mark: entry.fields.path?.mark ?? entry.mark,
            problem: .sharedRepository(path: project.path, other: other)))
      } else {
        owners[real] = project.name
      }
    }

    diagnostics.sort()
    guard !diagnostics.hasErrors else { return LoadResult(manifest: nil, diagnostics: diagnostics) }
    var manifest = Manifest(file: file, settings: doc.settings, agents: doc.agents, projects: projects)
    if repositoryFile || !named {
      let commands = Self.commands(of: manifest, declaredAgents: declaredAgents(root))
      if !commands.isEmpty { manifest.foreign = ForeignFile(path: file, content: text, commands: commands) }
    }
    return LoadResult(manifest: manifest, diagnostics: diagnostics)
  }

  /// Every field a repository's block supplies that the person's entry
  /// does not set, as a person reads it.
  static func supplied(by repo: ProjectFields, over mine: ProjectFields) -> [String] {
    var out: [String] = []
    if mine.setup == nil, let v = repo.setup { out += v.isEmpty ? ["setup: (none)"] : v.map { "setup: \(Project.shellWords($0))" } }
    if mine.gate == nil, let v = repo.gate { out += v.isEmpty ? ["gate: (none)"] : v.map { "gate: \(Project.shellWords($0))" } }
    if mine.copy == nil, let v = repo.copy { out += v.map { "copy: \($0)" } }
    if mine.portEnv == nil, let v = repo.portEnv { out.append("port_env: \(v)") }
    if mine.prompt == nil, let v = repo.prompt { out.append("prompt: \(v.source.debugDescription)") }
    if mine.agent == nil, let v = repo.agent { out.append("agent: \(v.value)") }
    if mine.onDone == nil, let v = repo.onDone { out.append("on_done: \(v.rawValue)") }
    if mine.select == nil, repo.select != nil { out.append("select: (its own selection of beads)") }
    if mine.base == nil, let v = repo.base { out.append("base: \(v)") }
    if mine.workers == nil, let v = repo.workers { out.append("workers: \(v)") }
    return out
  }

  /// What a whole manifest would make wt do beyond its defaults: the
  /// repositories it names (git runs their hooks and config), its `bd`, its
  /// `notify`, the agents it declares, and its projects' commands.
  static func commands(of m: Manifest, declaredAgents: [String]) -> [String] {
    var out = m.projects.map { "project \($0.name): \($0.path)" }
    if m.settings.bd != Settings(worktreeRoot: "").bd { out.append("bd: \(m.settings.bd)") }
    if !m.settings.notify.isEmpty { out.append("notify: \(Project.shellWords(m.settings.notify.map(\.source)))") }
    for name in declaredAgents.sorted() {
      guard let p = m.agents[name] else { continue }
      out.append("agent \(name): \(Project.shellWords(p.command))")
      if !p.resume.isEmpty { out.append("agent \(name) resume: \(Project.shellWords(p.resume.map(\.source)))") }
      for (k, v) in p.env.sorted(by: { $0.key < $1.key }) { out.append("agent \(name) env: \(k)=\(v)") }
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
    if !FileManager.default.fileExists(atPath: path.value, isDirectory: &isDirectory) || !isDirectory.boolValue {
      problems.append(Diagnostic(file: path.file, mark: path.mark, problem: .pathNotFound(key: "path", path: path.value)))
    }
    let agent = f.agent?.value ?? Defaults.agent
    if let located = f.agent, agents[agent] == nil {
      problems.append(
        Diagnostic(
          file: located.file, mark: located.mark, problem: .unknownAgent(agent, known: agents.keys.sorted())))
    }
    let project = Project(
      name: name, path: path.value, base: f.base ?? Defaults.base, workers: f.workers ?? Defaults.workers,
      agent: agent, onDone: f.onDone ?? Defaults.onDone, prompt: f.prompt ?? .literal(Defaults.prompt),
      select: f.select ?? Selection(), copy: f.copy ?? [], setup: f.setup ?? [], gate: f.gate ?? [],
      portEnv: f.portEnv, disposable: f.disposable ?? [])
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
