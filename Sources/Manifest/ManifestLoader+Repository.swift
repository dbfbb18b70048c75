import Foundation

/// What a repository's own `<repo>/wt.yaml` gives one project of the
/// person's manifest.
enum RepositoryFragment {
  /// No file, or the manifest itself.
  case none
  /// Its `project:` block, with the file's path and text.
  case read(path: String, text: String, fields: ProjectFields)
  /// A file that could not be used: its project waits, and a warning says
  /// why.
  case refused(path: String)
}

/// Repository blocks: a repository's `project:` block fills what the
/// person's entry leaves open, and all it supplies waits for `wt trust`.
extension ManifestLoader {
  /// The fragment at `<repo>/wt.yaml` and what reading it found. A
  /// repository's broken file stops its own project, not every project:
  /// its problems are warnings, and its project waits.
  func repositoryFragment(in repo: String, manifest: String, agents: [String: AgentProfile])
    -> (RepositoryFragment, [Diagnostic])
  {
    let (found, diagnostics) = repositoryBlock(in: repo, manifest: manifest, agents: agents)
    let ignored = diagnostics.contains { if case .repositoryFileIgnored = $0.problem { true } else { false } }
    guard diagnostics.hasErrors || ignored else {
      return (found.map { .read(path: $0.path, text: $0.text, fields: $0.fields) } ?? .none, diagnostics)
    }
    let repoFile = (repo as NSString).appendingPathComponent("wt.yaml")
    let warnings = diagnostics.map { d in
      guard d.severity == .error else { return d }
      return Diagnostic(file: d.file, mark: d.mark, problem: .repositoryFileIgnored(path: repoFile, reason: d.message))
    }
    return (.refused(path: repoFile), warnings)
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

  /// Whatever the repository's block supplied, the person's entry having
  /// left it open, takes effect on its say-so: all of it waits for trust (a
  /// prompt or an empty gate is as much the repository's word as a setup
  /// command).
  static func foreign(_ fragment: RepositoryFragment, over mine: ProjectFields) -> ForeignFile? {
    switch fragment {
    case .none: return nil
    case .read(let path, let text, let fields):
      let commands = supplied(by: fields, over: mine)
      return commands.isEmpty ? nil : ForeignFile(path: path, content: text, commands: commands)
    case .refused(let path):
      return ForeignFile(path: path, content: "", commands: ["nothing until the file can be read (see the warning)"])
    }
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
    // ssh runs with the person's keys, an `exec` host's words run here as
    // a command, and the host's wt runs what the file says there.
    out += m.hosts.map { host in
      host.exec.map { "host \(host.name): exec \(Project.shellWords($0))" }
        ?? "host \(host.name): ssh \(host.ssh)" + (host.sshConfig.map { " -F \($0)" } ?? "")
    }
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
    // An account points the agent at credentials and an endpoint (a
    // `${NAME}` of the person's with an ANTHROPIC_BASE_URL of the file's
    // would send the person's key elsewhere): shown as written.
    for a in m.accounts {
      let env = a.env.sorted { $0.key < $1.key }.map { k, v in
        switch v {
        case .literal(let text): "\(k)=\(text)"
        case .variable(let name): "\(k)=${\(name)}"
        }
      }
      out.append("account \(a.name) (\(a.agent)) env: \(env.joined(separator: " "))")
    }
    return out
  }

  /// Names under `agents:` in the file itself.
  func declaredAgents(_ root: YAMLNode) -> [String] {
    guard case .mapping(let pairs) = root.kind else { return [] }
    for pair in pairs where pair.key.scalar == "agents" {
      if case .mapping(let agents) = pair.value.kind { return agents.compactMap { $0.key.scalar } }
    }
    return []
  }
}
