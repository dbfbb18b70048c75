import Testing
@testable import Manifest

/// Every diagnostic, with its exact line and column.
@Suite(.timeLimit(.minutes(1))) struct DiagnosticsTests {
  @Test func listsEveryMistakeInOnePassSortedByPosition() {
    let box = Sandbox()
    box.mkdir("api")
    let result = box.load(
      """
      version: 1
      settings:
        max_workers: many
        admission: {max_load_per_core: 0, min_free_memory: lots}
      projects:
        api:
          path: api
          worker: 3
          workers: -1
          on_done: squash
          agent: claud
          prompt: "Do {{bead.titel}}"
          select:
            max_priority: 7
        web:
          path: ./missing
      """)
    #expect(result.manifest == nil)
    #expect(
      problems(result) == [
        at(3, 16, .wrongType(key: "max_workers", expected: "a whole number", got: "a string")),
        at(4, 34, .outOfRange(key: "max_load_per_core", value: "0", expected: "greater than 0")),
        at(4, 54, .invalidSize(key: "min_free_memory", value: "lots")),
        at(8, 5, .unknownKey("worker", in: "project 'api'", suggestion: "workers")),
        at(9, 14, .outOfRange(key: "workers", value: "-1", expected: "at least 0")),
        at(10, 14, .invalidChoice(key: "on_done", value: "squash", choices: ["merge", "pr", "pr-auto", "keep"])),
        at(11, 12, .unknownAgent("claud", known: BuiltInAgents.all.keys.sorted())),
        at(12, 13, .unknownTemplateField(key: "prompt", field: "bead.titel", suggestion: "bead.title")),
        at(14, 21, .outOfRange(key: "max_priority", value: "7", expected: "between 0 and 4")),
        at(16, 11, .pathNotFound(key: "path", path: "\(box.root)/missing")),
      ])
  }

  @Test func aBadPrBlockIsSaidAtEachValue() {
    let box = Sandbox()
    box.mkdir("api")
    let result = box.load(
      """
      version: 1
      settings:
        pr: {max_rounds: 0}
      projects:
        api:
          path: api
          on_done: pr-auto
          pr:
            merge_method: fast-forward
            interval: 0
            trusted: alice
            max_round: 2
      """)
    #expect(result.manifest == nil)
    #expect(
      problems(result) == [
        at(3, 20, .outOfRange(key: "max_rounds", value: "0", expected: "between 1 and 100")),
        at(9, 21, .invalidChoice(key: "merge_method", value: "fast-forward", choices: ["squash", "merge", "rebase"])),
        at(10, 17, .outOfRange(key: "interval", value: "0", expected: "between 1 and 86400")),
        at(11, 16, .wrongType(key: "trusted", expected: "a list of strings", got: "a string")),
        at(12, 7, .unknownKey("max_round", in: "project 'api'.pr", suggestion: "max_rounds")),
      ])
  }

  @Test func rendersFileLineColumnAndHint() {
    let box = Sandbox()
    box.mkdir("api")
    let result = box.load("version: 1\nprojects:\n  api:\n    path: api\n    worker: 3\n")
    #expect(
      result.diagnostics.map(\.description) == [
        "wt.yaml:5:5: error: unknown key 'worker' in project 'api'\n  hint: did you mean 'workers'?"
      ])
  }

  @Test func duplicateKeysPointAtTheSecond() {
    let box = Sandbox()
    box.mkdir("a")
    let result = box.load("version: 1\nprojects:\n  a:\n    path: a\n    workers: 1\n    workers: 2\n")
    #expect(problems(result) == [at(6, 5, .duplicateKey("workers", firstLine: 5))])
  }

  @Test func versionMustBeOne() {
    let box = Sandbox()
    #expect(problems(box.load("version: 2\n")).contains(at(1, 10, .unsupportedVersion("2"))))
    #expect(problems(box.load("version: '1'\n")).contains(at(1, 10, .unsupportedVersion("1"))))
    #expect(problems(box.load("projects: {}\n")).first == at(1, 1, .missingKey("version", in: "the top level")))
  }

  @Test func badRegexesInAgentsAndDialogs() {
    let box = Sandbox()
    box.mkdir("a")
    let result = box.load(
      """
      version: 1
      agents:
        mine:
          command: [aider]
          ready: '(['
          busy: ok
          dialogs:
            - {match: '*oops', keys: [Enter]}
            - {match: fine}
      projects:
        a: {path: a, agent: mine}
      """)
    #expect(
      problems(result) == [
        at(5, 12, .invalidRegex(key: "ready", pattern: "([")),
        at(8, 17, .invalidRegex(key: "match", pattern: "*oops")),
        at(9, 9, .missingKey("keys", in: "a dialog")),
      ])
  }

  @Test func newAgentFieldsAreCheckedWithTheirPositions() {
    let result = Sandbox().load(
      """
      version: 1
      agents:
        codex:
          prompt_arg: sometimes
          trust_seed: ~/.ssh
        aider:
          ready_delay: 0
        gemini:
          prompt_arg: "--prompt now"
          hooks: cursor
      """)
    #expect(
      problems(result) == [
        at(1, 1, .noProjects),
        at(4, 17, .invalidChoice(key: "prompt_arg", value: "sometimes", choices: ["positional", "none", "a flag such as --prompt"])),
        at(5, 17, .invalidChoice(key: "trust_seed", value: "~/.ssh", choices: ["codex", "gemini", "cursor", "none"])),
        at(7, 18, .outOfRange(key: "ready_delay", value: "0", expected: "greater than 0 and at most 60")),
        at(9, 17, .invalidChoice(key: "prompt_arg", value: "--prompt now", choices: ["positional", "none", "a flag such as --prompt"])),
        at(10, 12, .invalidChoice(key: "hooks", value: "cursor", choices: ["claude", "codex", "gemini", "none"])),
      ])
  }

  @Test func builtInProfilesAreOverriddenFieldByField() throws {
    let result = Sandbox().load(
      """
      version: 1
      agents:
        codex:
          command: [codex, --sandbox, workspace-write]
      """)
    let m = try #require(result.manifest)
    let codex = try #require(m.agents["codex"])
    #expect(codex.command == ["codex", "--sandbox", "workspace-write"])
    #expect(codex.promptArg == .positional && codex.trustSeed == .codex && codex.origin == .overridden)
    #expect(m.agents["gemini"]?.origin == .builtIn)
    #expect(Set(m.agents.keys).isSuperset(of: ["claude", "codex", "gemini", "opencode", "cursor", "copilot", "amp", "aider", "goose"]))
  }

  @Test func newAgentsNeedCommandAndReady() {
    let box = Sandbox()
    box.mkdir("a")
    let result = box.load("version: 1\nagents:\n  bare: {env: {A: b}}\nprojects:\n  a: {path: a}\n")
    #expect(
      problems(result) == [
        at(3, 3, .missingKey("command", in: "agent 'bare'")),
        at(3, 3, .missingKey("ready", in: "agent 'bare'")),
      ])
  }

  @Test func typesOfCommandsAndLists() {
    let box = Sandbox()
    box.mkdir("a")
    let result = box.load(
      """
      version: 1
      settings:
        ports: [3100]
        notify: []
        tmux_socket: "bad name"
      projects:
        a:
          path: a
          setup: [npm, ci]
          gate: [[]]
          copy: .env
          select: {labels: backend}
      """)
    #expect(
      problems(result) == [
        at(3, 10, .wrongType(key: "ports", expected: "a list of two port numbers [low, high]", got: "a list")),
        at(4, 11, .emptyCommand(key: "notify")),
        at(5, 16, .invalidName("bad name", what: "tmux socket")),
        at(9, 13, .wrongType(key: "setup[]", expected: "a list of strings", got: "a string")),
        at(9, 18, .wrongType(key: "setup[]", expected: "a list of strings", got: "a string")),
        at(10, 12, .emptyCommand(key: "gate[]")),
        at(11, 11, .wrongType(key: "copy", expected: "a list of strings", got: "a string")),
        at(12, 22, .wrongType(key: "labels", expected: "a list of strings", got: "a string")),
      ])
  }

  @Test func disposableIsAListOfPathsWithPositions() {
    let box = Sandbox()
    box.mkdir("a")
    box.mkdir("b")
    box.mkdir("c")
    let result = box.load(
      """
      version: 1
      defaults:
        disposable: [node_modules/]
      projects:
        a:
          path: a
          disposable: .build/
        b:
          path: b
          disposible: [dist/]
        c:
          path: c
      """)
    #expect(
      problems(result) == [
        at(7, 17, .wrongType(key: "disposable", expected: "a list of strings", got: "a string")),
        at(10, 5, .unknownKey("disposible", in: "project 'b'", suggestion: "disposable")),
      ])
    let valid = box.load("version: 1\ndefaults: {disposable: [node_modules/]}\nprojects:\n  c: {path: c, disposable: [.build/, app.log]}\n  b: {path: b}\n")
    #expect(valid.manifest?.project(named: "c")?.disposable == [".build/", "app.log"])
    #expect(valid.manifest?.project(named: "b")?.disposable == ["node_modules/"])
  }

  @Test func yamlErrorsBecomeDiagnostics() {
    let box = Sandbox()
    #expect(problems(box.load("version: 1\nprojects:\n\t a: {}\n")) == [at(3, 1, .yaml(.tabIndentation))])
    #expect(problems(box.load("")) == [at(1, 1, .yaml(.empty))])
    #expect(problems(box.load("version: 1\n---\nversion: 1\n")) == [at(2, 1, .yaml(.multipleDocuments))])
  }

  @Test func unreadableFileSaysSo() {
    let result = Sandbox().loader.load(file: "/nonexistent/wt.yaml")
    #expect(result.manifest == nil)
    guard case .cannotRead = result.diagnostics.first?.problem else {
      Issue.record("expected cannotRead, got \(result.diagnostics)")
      return
    }
  }

  @Test func noProjectsIsAWarningNotAnError() {
    let result = Sandbox().load("version: 1\n")
    #expect(result.manifest != nil)
    #expect(problems(result) == [at(1, 1, .noProjects)])
  }

  @Test func projectNamesMustBeUsableInSessionNames() {
    let box = Sandbox()
    box.mkdir("a")
    let result = box.load("version: 1\nprojects:\n  'my app': {path: a}\n")
    #expect(problems(result) == [at(3, 3, .invalidName("my app", what: "project"))])
  }
}
