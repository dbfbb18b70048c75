/// A value together with where it was written, for checks that can only
/// run after merging (an agent name is checked once all agents are known).
struct Located<Value: Hashable & Sendable>: Hashable, Sendable {
  var value: Value
  var file: String
  var mark: Mark
}

/// The fields of a project entry, a `defaults:` block or a repository's
/// `project:` block, each nil when not written. Layers are merged field by
/// field: the person's entry, then the repository's block, then `defaults:`,
/// then wt's own defaults.
struct ProjectFields: Hashable, Sendable {
  var path: Located<String>?
  var base: Located<String>?
  var workers: Int?
  var agent: Located<String>?
  var onDone: Project.OnDone?
  var prompt: Template?
  var select: Selection?
  var copy: [String]?
  var setup: [[String]]?
  var gate: [[String]]?
  var portEnv: String?
  var agentByLabel: [Located<Project.LabelAgent>]?
  var disposable: [String]?
  var pr: PullRequestPolicy?
  /// Only in the person's entries and `defaults:`, never a repository's.
  var sandbox: Sandbox?
  /// `accounts:`, each name with where it was written.
  var accounts: [Located<String>]?
  var merge: MergePolicy?
  var gateCache: GateCache?
  /// Only in the person's own entries: where code runs is theirs to say.
  var host: Located<String>?
  /// `path` before resolving, for a project on another host.
  var pathAsWritten: Located<String>?
  /// Only in the person's own entries: the money is theirs.
  var budget: WrittenBudget?

  static let keys = [
    "path", "base", "workers", "agent", "agent_by_label", "on_done", "prompt", "select", "copy", "setup", "gate",
    "port_env", "disposable", "accounts", "merge", "gate_cache", "pr",
  ]
  static let mergeKeys = ["batch", "parallel", "order"]
  static let gateCacheKeys = ["key", "keep"]
  static let prKeys = ["max_rounds", "trusted", "merge_method", "interval"]
  static let selectKeys = ["labels", "any_labels", "exclude_labels", "types", "max_priority", "ids"]

  /// Fields in `self` win; the rest come from `lower`.
  func filling(from lower: ProjectFields) -> ProjectFields {
    // Field by field, one statement each: as one initializer call the
    // type checker gives up on this many `??`. `host`, `pathAsWritten` and
    // `budget` are only ever the entry's own.
    var out = self
    out.path = path ?? lower.path
    out.base = base ?? lower.base
    out.workers = workers ?? lower.workers
    out.agent = agent ?? lower.agent
    out.onDone = onDone ?? lower.onDone
    out.prompt = prompt ?? lower.prompt
    out.select = select ?? lower.select
    out.copy = copy ?? lower.copy
    out.setup = setup ?? lower.setup
    out.gate = gate ?? lower.gate
    out.portEnv = portEnv ?? lower.portEnv
    out.agentByLabel = agentByLabel ?? lower.agentByLabel
    out.disposable = disposable ?? lower.disposable
    out.accounts = accounts ?? lower.accounts
    out.merge = merge.map { $0.filling(from: lower.merge) } ?? lower.merge
    out.gateCache = gateCache ?? lower.gateCache
    out.pr = pr ?? lower.pr
    out.sandbox = sandbox ?? lower.sandbox
    return out
  }
}

extension NodeReader {
  /// Reads a project-shaped block. `allowPath` is false for `defaults:` and
  /// a repository's own `project:` block, where a path makes no sense.
  func projectFields(
    _ node: YAMLNode, context: String, allowPath: Bool, allowSandbox: Bool = true, resolve: (String) -> String
  ) -> ProjectFields {
    var known = allowPath ? ProjectFields.keys + ["host", "budget"] : ProjectFields.keys.filter { $0 != "path" }
    if allowSandbox { known.append("sandbox") }
    var out = ProjectFields()
    guard let f = fields(node, key: context, context: context, known: known) else { return out }
    if let n = f["path"], let raw = string(n, key: "path") {
      out.path = Located(value: resolve(raw), file: file, mark: n.mark)
      out.pathAsWritten = Located(value: raw, file: file, mark: n.mark)
    }
    if let n = f["budget"] { out.budget = budget(n, context: "\(context).budget", allowDay: false) }
    if let n = f["host"], let name = string(n, key: "host") { out.host = Located(value: name, file: file, mark: n.mark) }
    if let n = f["base"], let name = string(n, key: "base") { out.base = Located(value: name, file: file, mark: n.mark) }
    if let n = f["workers"] { out.workers = int(n, key: "workers", range: 0...Int.max) }
    if let n = f["agent"], let name = string(n, key: "agent") {
      out.agent = Located(value: name, file: file, mark: n.mark)
    }
    if let n = f["agent_by_label"] {
      out.agentByLabel = entries(n, key: "agent_by_label").compactMap { entry in
        string(entry.value, key: "agent_by_label.\(entry.name)").map {
          Located(value: Project.LabelAgent(label: entry.name, agent: $0), file: file, mark: entry.value.mark)
        }
      }
    }
    if let n = f["on_done"] { out.onDone = choice(n, key: "on_done", as: Project.OnDone.self) }
    if let n = f["prompt"] { out.prompt = template(n, key: "prompt") }
    if let n = f["select"] { out.select = selection(n, context: "\(context).select") }
    if let n = f["copy"], let files = strings(n, key: "copy") {
      // copy: reads the person's files into a worktree an agent works in:
      // never from outside the repository.
      for file in files where file.hasPrefix("/") || file.hasPrefix("~") || file.split(separator: "/").contains("..") {
        report(.pathOutsideRepository(key: "copy", path: file), at: n.mark)
      }
      out.copy = files
    }
    if let n = f["setup"] { out.setup = commands(n, key: "setup") }
    if let n = f["gate"] { out.gate = commands(n, key: "gate") }
    if let n = f["port_env"], let name = string(n, key: "port_env") {
      if !Self.isOwnVariable(name) { report(.unsafeVariable(key: "port_env", name: name), at: n.mark) }
      out.portEnv = name
    }
    if let n = f["disposable"] { out.disposable = strings(n, key: "disposable") }
    if let n = f["sandbox"] { out.sandbox = sandbox(n, context: context, resolve: resolve) }
    if let n = f["accounts"] {
      if case .sequence(let items) = n.kind {
        let names = items.compactMap { item in string(item, key: "accounts[]").map { Located(value: $0, file: file, mark: item.mark) } }
        if names.count == items.count { out.accounts = names }
      } else {
        report(.wrongType(key: "accounts", expected: "a list of account names", got: n.typeName), at: n.mark)
      }
    }
    if let n = f["merge"] { out.merge = mergePolicy(n, context: "\(context).merge") }
    if let n = f["gate_cache"] { out.gateCache = gateCache(n, context: "\(context).gate_cache") }
    if let n = f["pr"] { out.pr = pullRequestPolicy(n, context: "\(context).pr") }
    return out
  }

  /// `pr: {max_rounds, trusted, merge_method, interval}`; what is not
  /// written keeps wt's default.
  func pullRequestPolicy(_ node: YAMLNode, context: String) -> PullRequestPolicy? {
    guard let f = fields(node, key: "pr", context: context, known: ProjectFields.prKeys) else { return nil }
    var out = PullRequestPolicy()
    if let n = f["max_rounds"], let v = int(n, key: "max_rounds", range: 1...100) { out.maxRounds = v }
    if let n = f["trusted"], let v = strings(n, key: "trusted") { out.trusted = v }
    if let n = f["merge_method"], let v = choice(n, key: "merge_method", as: PullRequestPolicy.MergeMethod.self) {
      out.mergeMethod = v
    }
    if let n = f["interval"], let v = int(n, key: "interval", range: 1...86400) { out.interval = v }
    return out
  }

  /// `merge: {batch, parallel, order}`, on a project or under `settings:`.
  func mergePolicy(_ node: YAMLNode, context: String) -> MergePolicy? {
    guard let f = fields(node, key: "merge", context: context, known: ProjectFields.mergeKeys) else { return nil }
    var out = MergePolicy()
    if let n = f["batch"] { out.batch = int(n, key: "batch", range: 1...1000) }
    if let n = f["parallel"] { out.parallel = int(n, key: "parallel", range: 1...64) }
    if let n = f["order"] { out.order = choice(n, key: "order", as: MergePolicy.Order.self) }
    return out
  }

  /// `gate_cache: {key: [FILE…], keep: [PATH…]}`: paths inside the
  /// repository only, as `copy:`.
  func gateCache(_ node: YAMLNode, context: String) -> GateCache? {
    guard let f = fields(node, key: "gate_cache", context: context, known: ProjectFields.gateCacheKeys) else { return nil }
    var out = GateCache(key: [], keep: [])
    for name in ProjectFields.gateCacheKeys {
      guard let n = f[name], let paths = strings(n, key: "gate_cache.\(name)") else { continue }
      for path in paths where path.isEmpty || path.hasPrefix("/") || path.hasPrefix("~") || path.split(separator: "/").contains("..") {
        report(.pathOutsideRepository(key: "gate_cache.\(name)", path: path), at: n.mark)
      }
      if name == "key" { out.key = paths } else { out.keep = paths }
    }
    return out
  }

  /// A variable for a port: its name ends in `PORT` (`PORT`, `HTTP_PORT`,
  /// `VITE_PORT`). A deny list of variables that change how programs run
  /// (`PATH`, `LD_PRELOAD`, `NODE_OPTIONS`, `PYTHONPATH`, …) is never
  /// complete; a name that says "port" is.
  static func isOwnVariable(_ name: String) -> Bool {
    guard let first = name.first, first.isLetter || first == "_",
      name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") })
    else { return false }
    let upper = name.uppercased()
    return upper.hasSuffix("PORT") && !upper.hasPrefix("WT_")
  }

  func selection(_ node: YAMLNode, context: String) -> Selection? {
    guard let f = fields(node, key: "select", context: context, known: ProjectFields.selectKeys) else { return nil }
    var s = Selection()
    if let n = f["labels"] { s.labels = strings(n, key: "labels") ?? [] }
    if let n = f["any_labels"] { s.anyLabels = strings(n, key: "any_labels") ?? [] }
    if let n = f["exclude_labels"] { s.excludeLabels = strings(n, key: "exclude_labels") ?? [] }
    if let n = f["types"] { s.types = strings(n, key: "types") ?? [] }
    if let n = f["max_priority"] { s.maxPriority = int(n, key: "max_priority", range: 0...4) }
    if let n = f["ids"] { s.ids = strings(n, key: "ids") ?? [] }
    return s
  }
}
