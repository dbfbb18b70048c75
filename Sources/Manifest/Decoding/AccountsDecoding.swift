/// An account as written, with where, for the checks that need the
/// environment or the projects (`ManifestLoader.checkAccounts`).
struct DeclaredAccount: Sendable {
  var account: Account
  var mark: Mark
  /// Where each `env` value was written, by variable.
  var valueMarks: [String: Mark]
}

extension NodeReader {
  static let accountKeys = ["agent", "env"]

  /// `accounts:`: `NAME: {agent: AGENT, env: {VAR: "${OTHER}" or a literal}}`.
  func accounts(_ node: YAMLNode, agents: [String: AgentProfile]) -> [DeclaredAccount] {
    entries(node, key: "accounts").compactMap { entry in
      let context = "account '\(entry.name)'"
      if !Self.isValidName(entry.name) { report(.invalidName(entry.name, what: "account"), at: entry.key.mark) }
      guard let f = fields(entry.value, key: entry.name, context: context, known: Self.accountKeys) else { return nil }
      guard let n = f["agent"], let agent = string(n, key: "agent") else {
        if f["agent"] == nil { report(.missingKey("agent", in: context), at: entry.key.mark) }
        return nil
      }
      if agents[agent] == nil { report(.unknownAgent(agent, known: agents.keys.sorted()), at: n.mark) }
      var declared = DeclaredAccount(account: Account(name: entry.name, agent: agent), mark: entry.key.mark, valueMarks: [:])
      for variable in f["env"].map({ entries($0, key: "env") }) ?? [] {
        if !Self.isVariableName(variable.name) || variable.name.uppercased().hasPrefix("WT_") {
          report(.accountVariable(name: variable.name, account: entry.name), at: variable.key.mark)
        }
        let key = "accounts.\(entry.name).env.\(variable.name)"
        guard let text = accountValueText(variable.value, key: key) else { continue }
        guard let value = Self.accountValue(text) else {
          report(.accountValue(key: key), at: variable.value.mark)
          continue
        }
        declared.account.env[variable.name] = value
        declared.valueMarks[variable.name] = variable.value.mark
      }
      return declared
    }
  }

  /// A value as a string; a wrong type is reported without the value,
  /// which may be a secret.
  private func accountValueText(_ node: YAMLNode, key: String) -> String? {
    guard case .scalar(let text, _) = node.kind, !node.isNull else {
      report(.wrongType(key: key, expected: "a string", got: node.typeName), at: node.mark)
      return nil
    }
    return text
  }

  /// `${NAME}` alone is a variable; text without `${` is a literal;
  /// anything else (`sk-${X}`, `${X`) is refused rather than half-read.
  static func accountValue(_ text: String) -> Account.Value? {
    guard text.contains("${") else { return .literal(text) }
    guard text.hasPrefix("${"), text.hasSuffix("}") else { return nil }
    let name = String(text.dropFirst(2).dropLast())
    return isVariableName(name) ? .variable(name) : nil
  }

  static func isVariableName(_ name: String) -> Bool {
    guard let first = name.first, first.isLetter || first == "_" else { return false }
    return name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
  }
}

extension ManifestLoader {
  /// A project's `accounts:`: each names a declared account of an agent
  /// the project starts.
  static func checkAccounts(_ marks: [Located<String>], of project: Project, declared: [DeclaredAccount]) -> [Diagnostic] {
    marks.compactMap { located in
      guard let account = declared.first(where: { $0.account.name == located.value })?.account else {
        return Diagnostic(file: located.file, mark: located.mark,
          problem: .unknownAccount(located.value, known: declared.map(\.account.name)))
      }
      guard !project.agents.contains(account.agent) else { return nil }
      return Diagnostic(file: located.file, mark: located.mark,
        problem: .accountAgentNotRun(account: account.name, agent: account.agent, project: project.name))
    }
  }

  /// Each `${NAME}` is set where wt runs, so a missing key is said when
  /// wt reads wt.yaml, not when a worker starts without it. Not checked
  /// inside a worker (`$WT_WORKER`), whose environment has those
  /// variables removed on purpose (`Manifest.accountSources`).
  func checkAccountVariables(_ declared: [DeclaredAccount], display: String) -> [Diagnostic] {
    guard (environment["WT_WORKER"] ?? "").isEmpty else { return [] }
    return declared.flatMap { entry in
      entry.account.env.sorted(by: { $0.key < $1.key }).compactMap { key, value -> Diagnostic? in
        guard case .variable(let name) = value, (environment[name] ?? "").isEmpty else { return nil }
        return Diagnostic(file: display, mark: entry.valueMarks[key] ?? entry.mark,
          problem: .unsetAccountVariable(account: entry.account.name, key: key, variable: name))
      }
    }
  }
}
