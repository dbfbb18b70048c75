/// `accounts:`: a named set of credentials an agent runs with (an API key
/// taken from one of the person's variables, a `CLAUDE_CONFIG_DIR`, …).
/// A usage limit belongs to an account, so the loop pauses the account,
/// not only the worker that met it (issue 23). Without `accounts:` each
/// agent has one implicit account: the environment wt runs in.
///
/// It holds the values as written (`${VAR}` or a literal), never the
/// secrets they name: those are read from wt's environment when a worker
/// starts (`resolved(in:)`), so no model, plan or message carries one.
public struct Account: Hashable, Sendable {
  /// One `env:` value.
  public enum Value: Hashable, Sendable {
    /// Written as is.
    case literal(String)
    /// `${NAME}`: the value of NAME in the environment wt runs in.
    case variable(String)
  }

  public var name: String
  /// The agent profile whose workers may run on it.
  public var agent: String
  /// Variables the agent's process gets, by name.
  public var env: [String: Value]

  public init(name: String, agent: String, env: [String: Value] = [:]) {
    self.name = name
    self.agent = agent
    self.env = env
  }

  /// The variables `env` takes its values from, sorted: none of them
  /// reaches a worker under its own name, so one account's key never
  /// reaches another account's worker.
  public var sources: [String] {
    env.values.compactMap { if case .variable(let name) = $0 { name } else { nil } }.sorted()
  }

  /// `env` with each `${NAME}` read from `environment`; a variable that
  /// is not set there gives no value (the loader refuses such a manifest
  /// outside a worker, `Problem.unsetAccountVariable`).
  public func resolved(in environment: [String: String]) -> [String: String] {
    env.compactMapValues { value in
      switch value {
      case .literal(let text): text
      case .variable(let name): environment[name].flatMap { $0.isEmpty ? nil : $0 }
      }
    }
  }
}

extension Manifest {
  public func account(named name: String) -> Account? { accounts.first { $0.name == name } }

  /// The accounts a bead of `project` run by `agent` may start on, first
  /// choice first; empty: the agent's implicit account.
  public func accounts(of project: Project, agent: String) -> [Account] {
    project.accounts.compactMap(account(named:)).filter { $0.agent == agent }
  }

  /// Every variable some account reads its values from: removed from the
  /// environment of every worker (`Account.sources`).
  public var accountSources: [String] { Array(Set(accounts.flatMap(\.sources))).sorted() }
}
