/// One problem found in a manifest: what, where, and what to do about it.
///
/// Problems are values (`Problem`) so tests compare them as data; the text a
/// person reads is derived in `message` and `hint`.
public struct Diagnostic: Hashable, Sendable, Comparable, CustomStringConvertible {
  public enum Severity: String, Hashable, Sendable { case error, warning }

  public var file: String
  public var mark: Mark
  public var problem: Problem

  public init(file: String, mark: Mark, problem: Problem) {
    self.file = file
    self.mark = mark
    self.problem = problem
  }

  public var severity: Severity { problem.severity }
  public var message: String { problem.message }
  public var hint: String? { problem.hint }

  public static func < (a: Diagnostic, b: Diagnostic) -> Bool {
    (a.file, a.mark.line, a.mark.column, a.message) < (b.file, b.mark.line, b.mark.column, b.message)
  }

  /// `wt.yaml:12:5: error: …` and, when there is one, an indented hint line.
  public var description: String {
    var text = "\(file):\(mark): \(severity.rawValue): \(message)"
    if let hint { text += "\n  hint: \(hint)" }
    return text
  }
}

extension [Diagnostic] {
  public var hasErrors: Bool { contains { $0.severity == .error } }
}

/// Every kind of problem a manifest can have.
public enum Problem: Hashable, Sendable {
  case yaml(YAMLError.Kind)
  case cannotRead(path: String, reason: String)
  case unsupportedVersion(String)
  case missingKey(String, in: String)
  case unknownKey(String, in: String, suggestion: String?)
  case duplicateKey(String, firstLine: Int)
  case wrongType(key: String, expected: String, got: String)
  case outOfRange(key: String, value: String, expected: String)
  case invalidChoice(key: String, value: String, choices: [String])
  case unknownAgent(String, known: [String])
  case invalidRegex(key: String, pattern: String)
  case regexWithoutCapture(key: String, pattern: String)
  case unknownTemplateField(key: String, field: String, suggestion: String?)
  case unclosedTemplate(key: String)
  case pathNotFound(key: String, path: String)
  case invalidSize(key: String, value: String)
  case emptyCommand(key: String)
  case invalidName(String, what: String)
  case pathOutsideRepository(key: String, path: String)
  case unsafeVariable(key: String, name: String)
  case repositoryFileIgnored(path: String, reason: String)
  case sharedRepository(path: String, other: String)
  /// `base` names no branch of the repository; `branches` are its local
  /// ones, for the did-you-mean.
  case unknownBase(String, path: String, suggestion: String?, branches: [String])
  /// No `base` and no default branch git can tell.
  case noDefaultBranch(path: String, current: String?)
  case noProjects
  case unknownHost(String, known: [String])
  /// A path on a host that is neither absolute nor under `~`.
  case hostPath(key: String, path: String, host: String)
  case unsafeSSHOption(String)
  case invalidDestination(String)
  /// `key` cannot be set beside `other` (`ssh` and `exec`, `pod` and
  /// `statefulset`, `port` on a host reached by `exec`).
  case conflictingKeys(String, String, in: String)
  /// `$WT_HOST` names a host the file does not declare.
  case notThisHost(String)
  /// A `sandbox:` this machine cannot run: its runtime is missing, the
  /// kernel refuses it, or its image is not here; `fix` is the command.
  case sandboxUnavailable(runtime: String, reason: String, fix: String)
  /// A project's `accounts:` names no account under `accounts:`.
  case unknownAccount(String, known: [String])
  /// A project lists an account of an agent it never starts.
  case accountAgentNotRun(account: String, agent: String, project: String)
  /// An account's `env` value is neither `${NAME}` nor a literal (the
  /// value itself is never repeated: it may be a secret).
  case accountValue(key: String)
  /// An account's `env` sets a variable that is no variable name, or wt's own.
  case accountVariable(name: String, account: String)
  /// `${NAME}` names a variable that is not set where wt runs.
  case unsetAccountVariable(account: String, key: String, variable: String)
  /// `accounts:` on a project that runs on another host.
  case accountsOnHost(host: String)
  /// A budget that is neither a token count (`2M`) nor an amount (`$5`).
  case invalidBudget(key: String, value: String)
  /// An amount (`$5`) for an agent `settings.prices` has no prices for.
  case budgetNeedsPrices(key: String, amount: String, agent: String)

  public var severity: Diagnostic.Severity {
    switch self {
    case .noProjects, .repositoryFileIgnored: .warning
    default: .error
    }
  }

  public var message: String {
    switch self {
    case .yaml(let kind):
      switch kind {
      case .syntax(let text): return "invalid YAML: \(text)"
      case .tabIndentation: return "a tab is used for indentation"
      case .multipleDocuments: return "the file holds more than one YAML document"
      case .empty: return "the file is empty"
      case .tooLarge(let bytes, let limit): return "the file is \(bytes) bytes, over the \(limit)-byte limit"
      case .aliasExpansion(let limit): return "aliases expand to more than \(limit) nodes"
      case .unknownAnchor(let name): return "alias '*\(name)' names no anchor defined before it"
      case .tooDeep(let limit): return "collections are nested more than \(limit) levels deep"
      }
    case .cannotRead(let path, let reason): return "cannot read \(path): \(reason)"
    case .unsupportedVersion(let v): return "unsupported version '\(v)'"
    case .missingKey(let key, let context): return "missing key '\(key)' in \(context)"
    case .unknownKey(let key, let context, _): return "unknown key '\(key)' in \(context)"
    case .duplicateKey(let key, let line): return "duplicate key '\(key)' (first set on line \(line))"
    case .wrongType(let key, let expected, let got): return "'\(key)' must be \(expected), not \(got)"
    case .outOfRange(let key, let value, let expected): return "'\(key)' is \(value); it must be \(expected)"
    case .invalidChoice(let key, let value, _): return "'\(key)' cannot be '\(value)'"
    case .unknownAgent(let name, _): return "unknown agent '\(name)'"
    case .invalidRegex(let key, let pattern): return "'\(key)' is not a valid regular expression: \(pattern)"
    case .regexWithoutCapture(let key, let pattern): return "'\(key)' has no capture group: \(pattern)"
    case .unknownTemplateField(let key, let field, _): return "'\(key)' names unknown template field '{{\(field)}}'"
    case .unclosedTemplate(let key): return "'\(key)' has a '{{' without a closing '}}'"
    case .pathNotFound(let key, let path): return "'\(key)' names \(path), which does not exist"
    case .invalidSize(let key, let value): return "'\(key)' is '\(value)', not a size"
    case .invalidBudget(let key, let value): return "'\(key)' is '\(value)', neither a token count nor an amount"
    case .budgetNeedsPrices(let key, let amount, let agent):
      return "'\(key)' is an amount (\(amount)), but settings.prices has no prices for agent '\(agent)'"
    case .emptyCommand(let key): return "'\(key)' has an empty command"
    case .invalidName(let name, let what): return "\(what) name '\(name)' cannot be used"
    case .pathOutsideRepository(let key, let path): return "'\(key)' names '\(path)', which is outside the repository"
    case .unsafeVariable(let key, let name): return "'\(key)' cannot be '\(name)'"
    case .repositoryFileIgnored(let path, let reason): return "the repository's \(path) is not used: \(reason)"
    case .sharedRepository(let path, let other): return "project path \(path) is the same repository as project '\(other)'"
    case .unknownBase(let base, let path, _, _): return "base '\(base)' is not a branch of \(path)"
    case .noDefaultBranch(let path, _): return "cannot tell the default branch of \(path)"
    case .noProjects: return "no projects are declared, so wt has nothing to do"
    case .unknownHost(let name, _): return "unknown host '\(name)'"
    case .hostPath(let key, let path, let host): return "'\(key)' is '\(path)', a path on host '\(host)' that is not absolute"
    case .unsafeSSHOption(let option): return "ssh option '\(option)' is not one wt passes on"
    case .invalidDestination(let text): return "'ssh' is '\(text)', not [user@]host"
    case .conflictingKeys(let key, let other, let context): return "'\(key)' cannot be set with '\(other)' in \(context)"
    case .notThisHost(let name): return "$WT_HOST is '\(name)', a host this file does not declare"
    case .sandboxUnavailable(let runtime, let reason, _): return "sandbox '\(runtime)' cannot run here: \(reason)"
    case .unknownAccount(let name, _): return "unknown account '\(name)'"
    case .accountAgentNotRun(let account, let agent, let project):
      return "account '\(account)' is for agent '\(agent)', which project '\(project)' never starts"
    case .accountValue(let key): return "'\(key)' must be ${NAME} alone or a literal without '${'"
    case .accountVariable(let name, let account): return "account '\(account)' cannot set '\(name)'"
    case .unsetAccountVariable(let account, let key, let variable):
      return "account '\(account)' takes \(key) from ${\(variable)}, which is not set where wt runs"
    case .accountsOnHost(let host): return "a project on host '\(host)' cannot list accounts"
    }
  }

  public var hint: String? {
    switch self {
    case .yaml(.tabIndentation): return "YAML indents with spaces; replace the tab with spaces"
    case .yaml(.multipleDocuments): return "keep one document; remove the '---' separator"
    case .yaml(.empty): return "start with 'version: 1' (see examples/starter/wt.yaml)"
    case .yaml(.aliasExpansion): return "this looks like an alias bomb; write the values out"
    case .unsupportedVersion: return "this wt reads 'version: 1'"
    case .missingKey(let key, _) where key == "version": return "add 'version: 1' at the top"
    case .missingKey("ssh", _):
      return "say how to reach it: 'ssh: user@name', 'exec: [program, args…]' (e.g. [podman, exec, -i, wt-host]) or 'kubernetes: {namespace: N, pod: P}'"
    case .unknownKey(_, _, let suggestion?): return "did you mean '\(suggestion)'?"
    case .duplicateKey: return "remove one of them; YAML keeps only one"
    case .invalidChoice(_, _, let choices): return "use one of: \(choices.joined(separator: ", "))"
    case .unknownAgent(_, let known): return "declare it under 'agents:' or use one of: \(known.joined(separator: ", "))"
    case .invalidRegex: return "check brackets and escapes; the pattern is matched against each screen line"
    case .regexWithoutCapture: return "put the reset time in parentheses, e.g. 'resets (.+)$'"
    case .unknownTemplateField(_, _, let suggestion?): return "did you mean '{{\(suggestion)}}'?"
    case .unknownTemplateField: return "fields: \(Template.knownFields.sorted().joined(separator: ", "))"
    case .pathNotFound: return "fix the path, or clone the repository there first (~ and paths relative to the manifest work)"
    case .invalidSize: return "write a number of bytes with a unit, e.g. 512MiB or 2GiB"
    case .invalidBudget: return "write tokens (input plus output) as 500k or 2M, or an amount as $5"
    case .budgetNeedsPrices(_, _, let agent):
      return "add settings.prices.\(agent) (input, output, cache_read, cache_write per million tokens), or write the budget in tokens"
    case .emptyCommand: return "give the program and its arguments, e.g. [npm, test]"
    case .invalidName: return "names are used in tmux session names and paths: use letters, digits, '.', '_' and '-'"
    case .pathOutsideRepository: return "name a file inside the main checkout, relative to it, without '..'"
    case .unsafeVariable:
      return "name the variable your programs read their port from; it must end in PORT (PORT, HTTP_PORT, VITE_PORT)"
    case .repositoryFileIgnored:
      return "its project starts nothing until the file is a regular, valid wt.yaml; then 'wt trust' it"
    case .sharedRepository: return "one project per repository: two would plan the same beads and release each other's"
    case .unknownBase(_, _, let suggestion?, _): return "did you mean '\(suggestion)'?"
    case .unknownBase(_, _, nil, let branches):
      return branches.isEmpty ? "the repository has no branch yet; commit once first" : "its branches: \(branches.prefix(8).joined(separator: ", "))"
    case .noDefaultBranch(_, let current):
      return "origin/HEAD is not set, the checkout is on \(current.map { "'\($0)'" } ?? "no branch"), and the repository has not exactly one of main, master, trunk: "
        + "set 'base:' on the project (or run 'git remote set-head origin --auto')"
    case .noProjects: return "add a 'projects:' entry, or run 'wt project add PATH'"
    case .sandboxUnavailable(_, _, let fix): return fix
    default: return hostOrAccountHint
    }
  }
}
