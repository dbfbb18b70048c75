import Foundation

/// A manifest file read into fields, before projects are merged with their
/// repositories' own blocks and defaults.
struct ManifestDocument {
  var settings: Settings
  var agents: [String: AgentProfile]
  var hosts: [(host: RemoteHost, mark: Mark)]
  var defaults: ProjectFields
  var projects: [(name: String, mark: Mark, fields: ProjectFields)]
  /// The `project:` block a repository carries for itself, if any.
  var projectBlock: ProjectFields?
  var declaresProjects: Bool
  var accounts: [DeclaredAccount] = []
  /// `settings.budget` as written, for the price check once the projects'
  /// agents are known.
  var settingsBudget: WrittenBudget? = nil
}

extension NodeReader {
  static let rootKeys = ["version", "settings", "hosts", "agents", "accounts", "defaults", "projects", "project"]
  static let settingsKeys = [
    "worktree_root", "tmux_socket", "max_workers", "admission", "bd", "ports", "notify", "limits", "budget", "prices", "merge", "pr", "sandbox",
  ]
  static let limitsKeys = ["max_resumes"]
  static let admissionKeys = ["max_load_per_core", "min_free_memory"]
  static let agentKeys = [
    "command", "env", "session_id", "resume", "ready", "busy", "dialogs", "questions", "limits", "hooks", "prompt_arg", "trust_seed", "ready_delay",
    "pass_env", "usage", "sandbox",
  ]
  static let dialogKeys = ["match", "keys"]

  func document(_ root: YAMLNode, paths: PathResolver) -> ManifestDocument {
    let f = fields(root, key: "the top level", context: "the top level", known: Self.rootKeys) ?? Fields(pairs: [:])
    if let n = f["version"] {
      if n.scalar != "1" || n.typeName != "a number" {
        report(.unsupportedVersion(n.scalar ?? n.typeName), at: n.mark)
      }
    } else {
      report(.missingKey("version", in: "the top level"), at: root.mark)
    }
    let settings = f["settings"].map { self.settings($0, paths: paths) } ?? Settings(worktreeRoot: paths.defaultWorktreeRoot)
    let agents = f["agents"].map { self.agents($0, paths: paths) } ?? BuiltInAgents.all
    let hosts = f["hosts"].map { self.hosts($0, paths: paths) } ?? []
    let defaults = f["defaults"].map {
      projectFields($0, context: "defaults", allowPath: false, resolve: paths.resolve)
    } ?? ProjectFields()
    var projects: [(String, Mark, ProjectFields)] = []
    for entry in f["projects"].map({ entries($0, key: "projects") }) ?? [] {
      if !Self.isValidName(entry.name) { report(.invalidName(entry.name, what: "project"), at: entry.key.mark) }
      let fields = projectFields(entry.value, context: "project '\(entry.name)'", allowPath: true, resolve: paths.resolve)
      if let host = fields.host, host.value != RemoteHost.local {
        if !hosts.contains(where: { $0.host.name == host.value }) {
          report(.unknownHost(host.value, known: hosts.map(\.host.name)), at: host.mark)
        }
        if let path = fields.pathAsWritten, !RemoteHost.isHostPath(path.value) {
          report(.hostPath(key: "path", path: path.value, host: host.value), at: path.mark)
        }
        if let first = fields.accounts?.first { report(.accountsOnHost(host: host.value), at: first.mark) }
      }
      if fields.path == nil, case .mapping = entry.value.kind {
        report(.missingKey("path", in: "project '\(entry.name)'"), at: entry.key.mark)
      } else if entry.value.isNull {
        report(.missingKey("path", in: "project '\(entry.name)'"), at: entry.key.mark)
      }
      projects.append((entry.name, entry.key.mark, fields))
    }
    // A repository's own block never says where its agents run: that is
    // the person's to decide, not the code's they are asked to work on.
    let block = f["project"].map {
      projectFields($0, context: "project", allowPath: false, allowSandbox: false, resolve: paths.resolve)
    }
    var doc = ManifestDocument(
      settings: settings, agents: agents, hosts: hosts, defaults: defaults, projects: projects, projectBlock: block,
      declaresProjects: f["projects"] != nil)
    doc.accounts = f["accounts"].map { self.accounts($0, agents: agents) } ?? []
    doc.settingsBudget = settingsBudget
    return doc
  }

  static func isValidName(_ name: String) -> Bool {
    !name.isEmpty && !name.hasPrefix(".") && !name.hasPrefix("-")
      && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }
  }

  func settings(_ node: YAMLNode, paths: PathResolver) -> Settings {
    var s = Settings(worktreeRoot: paths.defaultWorktreeRoot)
    guard let f = fields(node, key: "settings", context: "settings", known: Self.settingsKeys) else { return s }
    if let n = f["worktree_root"], let raw = string(n, key: "worktree_root") { s.worktreeRoot = paths.resolve(raw) }
    if let n = f["tmux_socket"], let raw = string(n, key: "tmux_socket"), let socket = tmuxSocket(raw, at: n.mark) {
      s.tmuxSocket = socket.resolved(paths)
    }
    if let n = f["max_workers"] { s.maxWorkers = int(n, key: "max_workers", range: 0...Int.max) }
    if let n = f["admission"], let a = admission(n, context: "settings.admission") { s.admission = a }
    if let n = f["bd"], let v = string(n, key: "bd") { s.bd = v.contains("/") ? paths.resolve(v) : v }
    if let n = f["ports"] {
      if case .sequence(let items) = n.kind, items.count == 2,
        let lo = int(items[0], key: "ports[0]", range: 1...65535),
        let hi = int(items[1], key: "ports[1]", range: 1...65535)
      {
        if lo <= hi { s.ports = lo...hi } else {
          report(.outOfRange(key: "ports", value: "[\(lo), \(hi)]", expected: "[low, high] with low <= high"), at: n.mark)
        }
      } else if case .sequence(let items) = n.kind, items.count == 2 {
        // The element errors are already reported.
      } else {
        report(.wrongType(key: "ports", expected: "a list of two port numbers [low, high]", got: n.typeName), at: n.mark)
      }
    }
    if let n = f["notify"] { s.notify = templates(n, key: "notify") ?? [] }
    if let n = f["sandbox"] { s.sandbox = sandbox(n, context: "settings", resolve: paths.resolve) }
    if let n = f["limits"], let l = fields(n, key: "limits", context: "settings.limits", known: Self.limitsKeys) {
      if let m = l["max_resumes"], let v = int(m, key: "max_resumes", range: 0...1000) { s.limits.maxResumes = v }
    }
    if let n = f["budget"], let b = budget(n, context: "settings.budget", allowDay: true) {
      s.budget = b.value
      settingsBudget = b
    }
    if let n = f["prices"] { s.prices = prices(n) }
    if let n = f["merge"], let policy = mergePolicy(n, context: "settings.merge") { s.merge = policy }
    if let n = f["pr"] { s.pr = pullRequestPolicy(n, context: "settings.pr") }
    return s
  }

  /// `default`, a name for `tmux -L`, or a path for `tmux -S` (not yet
  /// resolved: a host's is resolved by the host's wt).
  func tmuxSocket(_ raw: String, at mark: Mark) -> Settings.TmuxSocket? {
    if raw == "default" { return .default }
    if raw.contains("/") || raw.hasPrefix("~") { return .path(raw) }
    if Self.isValidName(raw) { return .named(raw) }
    report(.invalidName(raw, what: "tmux socket"), at: mark)
    return nil
  }

  func admission(_ node: YAMLNode, context: String) -> Admission? {
    guard let a = fields(node, key: "admission", context: context, known: Self.admissionKeys) else { return nil }
    var out = Admission()
    if let m = a["max_load_per_core"], let v = double(m, key: "max_load_per_core", above: 0) { out.maxLoadPerCore = v }
    if let m = a["min_free_memory"], let v = size(m, key: "min_free_memory") { out.minFreeMemory = v }
    return out
  }

  /// Agent profiles: the built-in ones overridden field by field, plus
  /// any new ones, which must say at least how to start and when ready.
  func agents(_ node: YAMLNode, paths: PathResolver) -> [String: AgentProfile] {
    var out = BuiltInAgents.all
    for entry in entries(node, key: "agents") {
      if !Self.isValidName(entry.name) { report(.invalidName(entry.name, what: "agent"), at: entry.key.mark) }
      let context = "agent '\(entry.name)'"
      let builtIn = out[entry.name]
      var p = builtIn ?? AgentProfile(
        name: entry.name, command: [], env: [:], sessionId: false, resume: [], ready: "", busy: nil, dialogs: [],
        hooks: .none)
      guard let f = fields(entry.value, key: entry.name, context: context, known: Self.agentKeys) else { continue }
      if let n = f["command"], let v = command(n, key: "command") { p.command = v }
      if let n = f["env"], let v = stringMap(n, key: "env") { p.env = v }
      if let n = f["pass_env"], let v = strings(n, key: "pass_env") { p.passEnv = v }
      if let n = f["session_id"], let v = bool(n, key: "session_id") { p.sessionId = v }
      if let n = f["resume"] { p.resume = templates(n, key: "resume") ?? [] }
      if let n = f["ready"], let v = regex(n, key: "ready") { p.ready = v }
      if let n = f["busy"], let v = regex(n, key: "busy") { p.busy = v }
      if let n = f["dialogs"] { p.dialogs = dialogs(n) }
      if let n = f["questions"] { p.questions = questions(n) }
      if let n = f["limits"] { p.limits = limits(n) }
      if let n = f["hooks"], let v = choice(n, key: "hooks", as: AgentProfile.Hooks.self) { p.hooks = v }
      if let n = f["prompt_arg"] { p.promptArg = promptArg(n) }
      if let n = f["trust_seed"], let v = choice(n, key: "trust_seed", as: AgentProfile.TrustSeed.self) { p.trustSeed = v }
      if let n = f["ready_delay"] { p.readyDelay = double(n, key: "ready_delay", above: 0, atMost: 60) }
      if let n = f["usage"], let v = choice(n, key: "usage", as: UsageSource.self) { p.usage = v }
      if let n = f["sandbox"] { p.sandbox = sandbox(n, context: context, resolve: paths.resolve) }
      p.origin = builtIn == nil ? .declared : .overridden
      if builtIn == nil {
        for key in ["command", "ready"] where f[key] == nil {
          report(.missingKey(key, in: context), at: entry.key.mark)
        }
      }
      out[entry.name] = p
    }
    return out
  }

  /// `positional`, `none`, or the flag that takes the prompt (`--prompt`).
  func promptArg(_ node: YAMLNode) -> AgentProfile.PromptArg? {
    guard let text = string(node, key: "prompt_arg") else { return nil }
    switch text {
    case "positional": return .positional
    case "none": return nil
    default:
      // One option word: the prompt always follows as its own argument.
      if text.hasPrefix("-"), text.count > 1, !text.contains(where: { $0.isWhitespace || $0 == "=" }) {
        return .flag(text)
      }
      report(.invalidChoice(key: "prompt_arg", value: text, choices: ["positional", "none", "a flag such as --prompt"]), at: node.mark)
      return nil
    }
  }

  func dialogs(_ node: YAMLNode) -> [AgentProfile.Dialog] {
    guard case .sequence(let items) = node.kind else {
      report(.wrongType(key: "dialogs", expected: "a list of {match, keys}", got: node.typeName), at: node.mark)
      return []
    }
    return items.compactMap { item in
      guard let f = fields(item, key: "dialogs[]", context: "a dialog", known: Self.dialogKeys) else { return nil }
      guard let m = f["match"], let k = f["keys"] else {
        for key in ["match", "keys"] where f[key] == nil { report(.missingKey(key, in: "a dialog"), at: item.mark) }
        return nil
      }
      guard let pattern = regex(m, key: "match"), let keys = strings(k, key: "keys") else { return nil }
      return AgentProfile.Dialog(match: pattern, keys: keys)
    }
  }
}

/// Turns paths as written in a manifest into absolute ones: `~` is the
/// home folder, relative paths start at the manifest's folder.
public struct PathResolver: Sendable {
  public var home: String
  public var directory: String
  public var dataHome: String

  public init(home: String, directory: String, dataHome: String? = nil) {
    self.home = home
    self.directory = directory
    self.dataHome = dataHome ?? (home as NSString).appendingPathComponent(".local/share")
  }

  public var defaultWorktreeRoot: String { (dataHome as NSString).appendingPathComponent("wt/worktrees") }

  public func resolve(_ path: String) -> String {
    var p = path
    if p == "~" { p = home } else if p.hasPrefix("~/") { p = home + p.dropFirst(1) }
    if !p.hasPrefix("/") { p = (directory as NSString).appendingPathComponent(p) }
    return (p as NSString).standardizingPath
  }
}
