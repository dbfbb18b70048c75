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
    if let env = environment["WT_CONFIG"], !env.isEmpty { return (cwd.resolve(env), true) }
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
      if doc.declaresProjects, let path = fields.path?.value {
        let (found, repoDiagnostics) = repositoryBlock(in: path, manifest: file, agents: doc.agents)
        diagnostics += repoDiagnostics
        if let found {
          fragment = found
          fields = fields.filling(from: found.fields)
        }
      }
      fields = fields.filling(from: doc.defaults)
      let (project, problems) = resolve(entry.name, fields, agents: doc.agents)
      diagnostics += problems
      guard var project else { continue }
      if let fragment {
        // Only what the repository's block supplied, the person's entry
        // and defaults having left it open, runs on its say-so.
        var supplied = ProjectFields()
        let mine = entry.fields
        supplied.setup = mine.setup == nil ? fragment.fields.setup : nil
        supplied.gate = mine.gate == nil ? fragment.fields.gate : nil
        supplied.copy = mine.copy == nil ? fragment.fields.copy : nil
        supplied.portEnv = mine.portEnv == nil ? fragment.fields.portEnv : nil
        let commands = Self.commands(of: supplied)
        if !commands.isEmpty { project.foreign = ForeignFile(path: fragment.path, content: fragment.text, commands: commands) }
      }
      projects.append(project)
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

  /// What a project block would run.
  static func commands(of f: ProjectFields) -> [String] {
    Project(
      name: "", path: "", base: "", workers: 0, agent: "", onDone: .keep, prompt: .literal(""), select: Selection(),
      copy: f.copy ?? [], setup: f.setup ?? [], gate: f.gate ?? [], portEnv: f.portEnv
    ).commandsToRun
  }

  /// What a whole manifest would run beyond wt's own defaults: its `bd`,
  /// its `notify`, the agents it declares, and its projects' commands.
  static func commands(of m: Manifest, declaredAgents: [String]) -> [String] {
    var out: [String] = []
    if m.settings.bd != Settings(worktreeRoot: "").bd { out.append("bd: \(m.settings.bd)") }
    if !m.settings.notify.isEmpty { out.append("notify: \(m.settings.notify.map(\.source).joined(separator: " "))") }
    for name in declaredAgents.sorted() {
      guard let p = m.agents[name] else { continue }
      out.append("agent \(name): \(Project.shellWords(p.command))")
      if !p.resume.isEmpty { out.append("agent \(name) resume: \(p.resume.map(\.source).joined(separator: " "))") }
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
    guard file != manifest, FileManager.default.fileExists(atPath: file) else { return (nil, []) }
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
      portEnv: f.portEnv)
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
