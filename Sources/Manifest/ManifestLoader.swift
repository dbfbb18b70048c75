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
    let cwd = PathResolver(home: home, directory: currentDirectory)
    if let explicit { return cwd.resolve(explicit) }
    if let env = environment["WT_CONFIG"], !env.isEmpty { return cwd.resolve(env) }
    let local = cwd.resolve("wt.yaml")
    let configHome = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? "\(home)/.config"
    let user = (configHome as NSString).appendingPathComponent("wt/wt.yaml")
    for candidate in [local, user] where FileManager.default.fileExists(atPath: candidate) { return candidate }
    throw ManifestNotFound(looked: [local, user])
  }

  public func load(file: String) -> LoadResult {
    let display = displayName(file)
    let reader = NodeReader(file: display)
    guard let root = parse(file, reader: reader) else {
      return LoadResult(manifest: nil, diagnostics: reader.diagnostics.sorted())
    }
    let directory = (file as NSString).deletingLastPathComponent
    let paths = PathResolver(home: home, directory: directory, dataHome: environment["XDG_DATA_HOME"])
    let doc = reader.document(root, paths: paths)
    var diagnostics = reader.diagnostics

    var entries = doc.projects
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
      if doc.declaresProjects, let path = fields.path?.value {
        let (repoFields, repoDiagnostics) = repositoryBlock(in: path, manifest: file, agents: doc.agents)
        diagnostics += repoDiagnostics
        fields = fields.filling(from: repoFields)
      }
      fields = fields.filling(from: doc.defaults)
      let (project, problems) = resolve(entry.name, fields, agents: doc.agents)
      diagnostics += problems
      if let project { projects.append(project) }
    }

    diagnostics.sort()
    guard !diagnostics.hasErrors else { return LoadResult(manifest: nil, diagnostics: diagnostics) }
    let manifest = Manifest(file: file, settings: doc.settings, agents: doc.agents, projects: projects)
    return LoadResult(manifest: manifest, diagnostics: diagnostics)
  }

  private func parse(_ file: String, reader: NodeReader) -> YAMLNode? {
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
      return try YAMLParser.parse(text)
    } catch {
      reader.report(error)
      return nil
    }
  }

  /// The `project:` block of `<repo>/wt.yaml`, when the repository has one.
  private func repositoryBlock(in repo: String, manifest: String, agents: [String: AgentProfile])
    -> (ProjectFields, [Diagnostic])
  {
    let file = (repo as NSString).appendingPathComponent("wt.yaml")
    guard file != manifest, FileManager.default.fileExists(atPath: file) else { return (ProjectFields(), []) }
    let reader = NodeReader(file: displayName(file))
    guard let root = parse(file, reader: reader) else { return (ProjectFields(), reader.diagnostics) }
    let paths = PathResolver(home: home, directory: repo, dataHome: environment["XDG_DATA_HOME"])
    let doc = reader.document(root, paths: paths)
    return (doc.projectBlock ?? ProjectFields(), reader.diagnostics)
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
