import Foundation
import Testing
@testable import Manifest

/// `accounts:` and a project's `accounts:`: what loads, and every mistake
/// at its line and column, never with a secret's value in the message.
@Suite(.timeLimit(.minutes(1))) struct AccountsManifestTests {
  static let manifest = """
    version: 1
    accounts:
      work:
        agent: claude
        env:
          ANTHROPIC_API_KEY: "${ANTHROPIC_KEY_WORK}"
      home:
        agent: claude
        env:
          CLAUDE_CONFIG_DIR: ~/.claude-home
      cheap:
        agent: aider
        env: {OPENAI_API_KEY: "${OPENAI_KEY_CHEAP}"}
    projects:
      api:
        path: api
        accounts: [work, home]
      web:
        path: web
        agent_by_label: {quick: aider}
        accounts: [cheap, home]
    """

  func loader(_ box: Sandbox, _ extra: [String: String] = [:]) -> ManifestLoader {
    ManifestLoader(
      environment: ["HOME": box.root, "ANTHROPIC_KEY_WORK": "sk-work", "OPENAI_KEY_CHEAP": "sk-cheap"].merging(extra) { _, b in b },
      currentDirectory: box.root)
  }

  func load(_ text: String, _ extra: [String: String] = [:]) -> (Sandbox, LoadResult) {
    let box = Sandbox()
    box.mkdir("api")
    box.mkdir("web")
    return (box, loader(box, extra).load(file: box.write("wt.yaml", text)))
  }

  @Test func loadsAccountsInFileOrderAndEachProjectsChoices() throws {
    let (_, result) = load(Self.manifest)
    #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
    let m = try #require(result.manifest)
    #expect(m.accounts.map(\.name) == ["work", "home", "cheap"])
    #expect(m.account(named: "work")?.env == ["ANTHROPIC_API_KEY": .variable("ANTHROPIC_KEY_WORK")])
    // A literal is kept as written: `~` is the agent's to read.
    #expect(m.account(named: "home")?.env == ["CLAUDE_CONFIG_DIR": .literal("~/.claude-home")])
    let api = try #require(m.project(named: "api"))
    #expect(api.accounts == ["work", "home"])
    #expect(m.accounts(of: api, agent: "claude").map(\.name) == ["work", "home"])
    let web = try #require(m.project(named: "web"))
    #expect(m.accounts(of: web, agent: "aider").map(\.name) == ["cheap"])
    #expect(m.accounts(of: web, agent: "claude").map(\.name) == ["home"])
    #expect(m.accountSources == ["ANTHROPIC_KEY_WORK", "OPENAI_KEY_CHEAP"])
    #expect(m.account(named: "work")?.resolved(in: ["ANTHROPIC_KEY_WORK": "sk-work"]) == ["ANTHROPIC_API_KEY": "sk-work"])
  }

  @Test func withoutAccountsEveryProjectRunsOnItsAgentsOwn() throws {
    let (_, result) = load("version: 1\nprojects:\n  api:\n    path: api\n")
    let m = try #require(result.manifest)
    #expect(m.accounts.isEmpty)
    #expect(m.project(named: "api")?.accounts == [])
    #expect(m.accounts(of: try #require(m.project(named: "api")), agent: "claude").isEmpty)
  }

  @Test func everyMistakeAtItsPlace() {
    let (_, result) = load(
      """
      version: 1
      accounts:
        work:
          agent: claude
          env:
            ANTHROPIC_API_KEY: "sk-${KEY}"
            WT_CONFIG: x
            2BAD: y
            GOOD: [a]
        nobody:
          env: {}
        ghost:
          agent: claud
        spare:
          agent: aider
          colour: red
      projects:
        api:
          path: api
          accounts: [work, missing, spare]
        web:
          path: web
          accounts: work
      """)
    #expect(result.manifest == nil)
    #expect(
      problems(result) == [
        at(6, 26, .accountValue(key: "accounts.work.env.ANTHROPIC_API_KEY")),
        at(7, 7, .accountVariable(name: "WT_CONFIG", account: "work")),
        at(8, 7, .accountVariable(name: "2BAD", account: "work")),
        at(9, 13, .wrongType(key: "accounts.work.env.GOOD", expected: "a string", got: "a list")),
        at(10, 3, .missingKey("agent", in: "account 'nobody'")),
        at(13, 12, .unknownAgent("claud", known: BuiltInAgents.all.keys.sorted())),
        at(16, 5, .unknownKey("colour", in: "account 'spare'", suggestion: nil)),
        at(20, 22, .unknownAccount("missing", known: ["work", "ghost", "spare"])),
        at(20, 31, .accountAgentNotRun(account: "spare", agent: "aider", project: "api")),
        at(23, 15, .wrongType(key: "accounts", expected: "a list of account names", got: "a string")),
      ])
    // The value written (it may be a key) is in no message.
    #expect(!result.diagnostics.contains { $0.description.contains("sk-") })
  }

  @Test func aVariableNotSetWhereWtRunsIsAnErrorAtItsValue() {
    let (_, result) = load(Self.manifest, ["ANTHROPIC_KEY_WORK": ""])
    #expect(problems(result) == [
      at(6, 26, .unsetAccountVariable(account: "work", key: "ANTHROPIC_API_KEY", variable: "ANTHROPIC_KEY_WORK"))
    ])
    #expect(result.diagnostics.map(\.description) == [
      "wt.yaml:6:26: error: account 'work' takes ANTHROPIC_API_KEY from ${ANTHROPIC_KEY_WORK}, which is not set where wt runs\n"
        + "  hint: export ANTHROPIC_KEY_WORK in the environment wt runs in; wt checks this whenever it reads wt.yaml on this machine, except inside a worker (which never has it)"
    ])
  }

  /// A worker's own `wt done` reads the same file from an environment
  /// that has the accounts' variables removed on purpose.
  @Test func insideAWorkerTheVariablesAreNotAsked() throws {
    let (_, result) = load(Self.manifest, ["ANTHROPIC_KEY_WORK": "", "OPENAI_KEY_CHEAP": "", "WT_WORKER": "api/bd-1"])
    #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
    #expect(result.manifest?.project(named: "api")?.accounts == ["work", "home"])
  }

  /// Settings do not carry over to hosts (docs/decisions.md), nor do
  /// accounts: a project on a host runs with the host's own credentials.
  @Test func aProjectOnAHostCannotListAccountsAndTheHostIgnoresThem() throws {
    let text = """
      version: 1
      hosts:
        box1: {ssh: dev@box1}
      accounts:
        work: {agent: claude, env: {ANTHROPIC_API_KEY: "${ANTHROPIC_KEY_WORK}"}}
      defaults:
        accounts: [work]
      projects:
        api:
          path: api
        far:
          host: box1
          path: ~/api
          accounts: [work]
      """
    let (_, here) = load(text)
    #expect(problems(here) == [at(14, 16, .accountsOnHost(host: "box1"))])
    let (_, there) = load(text.replacingOccurrences(of: "\n    accounts: [work]", with: ""), ["WT_HOST": "box1", "ANTHROPIC_KEY_WORK": ""])
    let hostView = try #require(there.manifest, "\(there.diagnostics)")
    #expect(hostView.accounts.isEmpty)
    #expect(hostView.projects.allSatisfy { $0.accounts.isEmpty })
  }

  /// A `./wt.yaml` wt found by itself could point an agent at another
  /// endpoint with the person's key: its accounts are among what needs
  /// trust, shown as written (a `${NAME}`, never its value).
  @Test func accountsInAFoundFileWaitForTrust() throws {
    let box = Sandbox()
    box.mkdir("api")
    box.mkdir("web")
    let file = box.write("wt.yaml", Self.manifest)
    let m = try #require(loader(box).load(file: file, named: false).manifest)
    let commands = try #require(m.foreign?.commands)
    #expect(commands.contains("account work (claude) env: ANTHROPIC_API_KEY=${ANTHROPIC_KEY_WORK}"))
    #expect(commands.contains("account home (claude) env: CLAUDE_CONFIG_DIR=~/.claude-home"))
    #expect(!commands.contains { $0.contains("sk-work") })
  }

  @Test func schemaAcceptsWhatTheValidatorAccepts() throws {
    let (box, result) = load(Self.manifest)
    #expect(!result.diagnostics.hasErrors)
    #expect(try ExamplesAndSchemaTests().schemaAccepts("\(box.root)/wt.yaml"))
  }
}
