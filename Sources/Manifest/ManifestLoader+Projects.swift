import Foundation

/// Merging: each entry of `projects:`, filled from its repository's block
/// and `defaults:`, becomes a `Project`.
extension ManifestLoader {
  typealias Entry = (name: String, mark: Mark, fields: ProjectFields)

  /// The file's project entries. A repository's own wt.yaml used on its
  /// own is one project, named for its folder.
  static func entries(of doc: ManifestDocument, directory: String, display: String, root: YAMLNode) -> [Entry] {
    guard !doc.declaresProjects, let block = doc.projectBlock else { return doc.projects }
    var fields = block
    fields.path = Located(value: directory, file: display, mark: root.mark)
    return [((directory as NSString).lastPathComponent, root.mark, fields)]
  }

  /// One entry as a project, with where its path and base were written and
  /// what was found on the way; a nil project when it cannot be made.
  func project(for entry: Entry, in doc: ManifestDocument, manifest shown: String)
    -> (project: Project?, source: ProjectSource?, diagnostics: [Diagnostic])
  {
    var diagnostics: [Diagnostic] = []
    var fields = entry.fields
    var fragment = RepositoryFragment.none
    if doc.declaresProjects, let path = fields.path?.value {
      let (found, repoDiagnostics) = repositoryFragment(in: path, manifest: shown, agents: doc.agents)
      diagnostics += repoDiagnostics
      fragment = found
      if case .read(_, _, let block) = found { fields = fields.filling(from: block) }
    }
    fields = fields.filling(from: doc.defaults)
    let (resolved, problems) = resolve(entry.name, fields, agents: doc.agents, prices: doc.settings.prices)
    diagnostics += problems
    guard var project = resolved else { return (nil, nil, diagnostics) }
    project.pr = fields.pr ?? doc.settings.pr ?? PullRequestPolicy()
    // On a host its own credentials apply: accounts are this machine's.
    if environment["WT_HOST"].map({ $0.isEmpty }) ?? true, let marks = fields.accounts {
      project.accounts = marks.map(\.value)
      diagnostics += Self.checkAccounts(marks, of: project, declared: doc.accounts)
    }
    let source = fields.path.map { path in
      ProjectSource(
        path: .init(file: path.file, mark: path.mark), base: fields.base.map { .init(file: $0.file, mark: $0.mark) })
    }
    if let foreign = Self.foreign(fragment, over: entry.fields) { project.foreign = foreign }
    return (project, source, diagnostics)
  }

  private func resolve(_ name: String, _ f: ProjectFields, agents: [String: AgentProfile], prices: [String: Prices])
    -> (Project?, [Diagnostic])
  {
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
    project.sandbox = f.sandbox
    if let budget = f.budget {
      project.budget = budget.value
      problems += budgetPriceProblems(budget, context: "project '\(name)'.budget", agents: project.agents, prices: prices)
    }
    project.merge = f.merge ?? MergePolicy()
    project.gateCache = f.gateCache
    return (project, problems)
  }

  /// The same folder twice; two checkouts of one repository are found with
  /// git, after loading (RepositoryCheck). The error goes at both entries.
  static func markSharedRepositories(
    _ projects: [Project], entries: [Entry], display: String, in diagnostics: inout [Diagnostic]
  ) {
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
  }
}
