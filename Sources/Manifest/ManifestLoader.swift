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

/// Finds and reads wt.yaml in three steps, a file each: locating the file
/// (ManifestLoader+Locate.swift); parsing it and merging its entries with
/// `defaults:` into projects (this file and ManifestLoader+Projects.swift);
/// and the repositories' own `project:` blocks, which fill what an entry
/// leaves open and wait for trust (ManifestLoader+Repository.swift).
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

    let entries = Self.entries(of: doc, directory: directory, display: display, root: root)
    if entries.isEmpty {
      diagnostics.append(Diagnostic(file: display, mark: root.mark, problem: .noProjects))
    }

    // `$WT_HOST`: this wt runs on that host for the wt that drives it, so
    // its projects are the ones that name the host, with its settings.
    let perspective = environment["WT_HOST"].flatMap { $0.isEmpty ? nil : $0 }
    let settings = Self.settings(of: doc, seenFrom: perspective, paths: paths) ?? doc.settings
    if let perspective, !doc.hosts.contains(where: { $0.host.name == perspective }) {
      diagnostics.append(Diagnostic(file: display, mark: root.mark, problem: .notThisHost(perspective)))
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
      let merged = project(for: entry, in: doc, manifest: shown)
      diagnostics += merged.diagnostics
      guard let project = merged.project else { continue }
      if let source = merged.source { sources[project.name] = source }
      projects.append(project)
    }
    diagnostics += acrossProjects(doc, projects, entries: entries, perspective: perspective, display: display)

    diagnostics.sort()
    guard !diagnostics.hasErrors else { return LoadResult(manifest: nil, diagnostics: diagnostics, sources: sources) }
    var manifest = Manifest(file: file, settings: settings, agents: doc.agents, projects: projects)
    manifest.hosts = doc.hosts.map(\.host)
    manifest.remoteProjects = remote
    manifest.perspective = perspective
    manifest.accounts = perspective == nil ? doc.accounts.map(\.account) : []
    let repositoryFile = !doc.declaresProjects && doc.projectBlock != nil
    if repositoryFile || !named {
      let commands = Self.commands(of: manifest, declaredAgents: declaredAgents(root))
      if !commands.isEmpty { manifest.foreign = ForeignFile(path: file, content: text, commands: commands) }
    }
    return LoadResult(manifest: manifest, diagnostics: diagnostics, sources: sources)
  }

  /// What only the whole file shows: repositories two projects share;
  /// on this machine (a host has its own settings) accounts' variables
  /// and budgets' prices.
  func acrossProjects(
    _ doc: ManifestDocument, _ projects: [Project], entries: [Entry], perspective: String?, display: String
  ) -> [Diagnostic] {
    var diagnostics: [Diagnostic] = []
    Self.markSharedRepositories(projects, entries: entries, display: display, in: &diagnostics)
    guard perspective == nil else { return diagnostics }
    return diagnostics + checkAccountVariables(doc.accounts, display: display)
      + Self.settingsBudgetProblems(doc, projects: projects)
  }

  /// The settings as the host `perspective` has them; nil for this
  /// machine or a host the file does not declare.
  static func settings(of doc: ManifestDocument, seenFrom perspective: String?, paths: PathResolver) -> Settings? {
    guard let perspective, let host = doc.hosts.first(where: { $0.host.name == perspective })?.host else { return nil }
    return doc.settings.seen(from: host, paths: paths)
  }

  /// The file's YAML tree and text; nil, with a diagnostic on `reader`,
  /// when it cannot be read or parsed.
  func parse(_ file: String, reader: NodeReader) -> (YAMLNode, String)? {
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

  /// Paths under the current folder are shown relative, as compilers do,
  /// so `wt.yaml:3:5` reads naturally; others stay absolute.
  func displayName(_ file: String) -> String {
    let prefix = currentDirectory.hasSuffix("/") ? currentDirectory : currentDirectory + "/"
    return file.hasPrefix(prefix) ? String(file.dropFirst(prefix.count)) : file
  }

  private static func reason(_ error: Error) -> String {
    let ns = error as NSError
    if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError { return underlying.localizedDescription }
    return ns.localizedDescription
  }
}
