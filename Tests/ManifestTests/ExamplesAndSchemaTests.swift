import Foundation
import Testing
@testable import Manifest

/// The examples are real manifests, and the JSON Schema says what the Swift
/// validator says.
@Suite(.timeLimit(.minutes(1))) struct ExamplesAndSchemaTests {
  static let examples = [
    "examples/starter/wt.yaml", "examples/team/wt.yaml", "examples/repo-config/wt.yaml",
    "examples/repo-config/backend/wt.yaml", "examples/hosts/wt.yaml", "examples/accounts/wt.yaml",
    "examples/pull-requests/wt.yaml", "examples/sandbox/wt.yaml",
  ]
  /// The variables examples/accounts takes its keys from, as a person
  /// exports them.
  static let exampleKeys = ["ANTHROPIC_KEY_WORK": "sk-ant-example", "OPENAI_KEY_TEAM": "sk-example"]

  var schema: [String: Any] {
    let data = try! Data(contentsOf: URL(fileURLWithPath: "\(packageRoot)/schema/wt.schema.json"))
    return try! JSONSerialization.jsonObject(with: data) as! [String: Any]
  }

  @Test(arguments: examples) func exampleLoadsWithoutDiagnostics(_ example: String) throws {
    let loader = ManifestLoader(environment: ["HOME": "/home/example"].merging(Self.exampleKeys) { a, _ in a }, currentDirectory: packageRoot)
    let result = loader.load(file: "\(packageRoot)/\(example)")
    #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
    #expect(result.manifest?.projects.isEmpty == false)
  }

  /// README shows the prompt a project without `prompt:` gets; it is
  /// that prompt, word for word.
  @Test func readmeShowsTheDefaultPrompt() throws {
    let readme = try String(contentsOfFile: "\(packageRoot)/README.md", encoding: .utf8)
    let start = try #require(readme.range(of: "- **The default prompt**"))
    let fence = try #require(readme[start.upperBound...].range(of: "  ```\n"))
    let end = try #require(readme[fence.upperBound...].range(of: "  ```\n"))
    let shown = readme[fence.upperBound..<end.lowerBound].split(separator: "\n", omittingEmptySubsequences: false)
      .map { $0.hasPrefix("  ") ? String($0.dropFirst(2)) : String($0) }.joined(separator: "\n")
    #expect(shown == Defaults.prompt)
  }

  /// A project's `pr:` replaces the one under `settings:` as a whole;
  /// a project without one gets the settings' block.
  @Test func pullRequestsExampleReadsPrOnTheProjectAndUnderSettings() throws {
    let loader = ManifestLoader(environment: ["HOME": "/home/example"], currentDirectory: packageRoot)
    let m = try #require(loader.load(file: "\(packageRoot)/examples/pull-requests/wt.yaml").manifest)
    let app = try #require(m.project(named: "app"))
    #expect(app.onDone == .prAuto)
    #expect(app.pr == PullRequestPolicy(maxRounds: 5, trusted: ["release-bot"], mergeMethod: .squash, interval: 60))
    #expect(m.settings.pr == PullRequestPolicy(maxRounds: 3, interval: 60))
  }

  @Test func repoConfigExampleMergesTheRepositoryBlock() throws {
    let loader = ManifestLoader(environment: ["HOME": "/home/example"], currentDirectory: packageRoot)
    let m = try #require(loader.load(file: "\(packageRoot)/examples/repo-config/wt.yaml").manifest)
    let backend = try #require(m.project(named: "backend"))
    #expect(backend.workers == 1)
    #expect(backend.select.labels == ["backend"])
    #expect(backend.gate == [["make", "test"]])
    #expect(m.project(named: "frontend")?.gate == [])
  }

  /// examples/accounts: each bead's agent picks among the project's
  /// accounts; a key not exported is said where the file names it.
  @Test func accountsExampleNamesItsAccountsAndItsMissingKeys() throws {
    let file = "\(packageRoot)/examples/accounts/wt.yaml"
    let loader = ManifestLoader(environment: ["HOME": "/home/example"].merging(Self.exampleKeys) { a, _ in a }, currentDirectory: packageRoot)
    let m = try #require(loader.load(file: file).manifest)
    let app = try #require(m.project(named: "app"))
    #expect(m.accounts(of: app, agent: "claude").map(\.name) == ["work", "personal"])
    #expect(m.accounts(of: app, agent: "aider").map(\.name) == ["openai"])
    let bare = ManifestLoader(environment: ["HOME": "/home/example"], currentDirectory: packageRoot).load(file: file)
    #expect(bare.diagnostics.map { "\($0.mark) \($0.problem)" } == [
      "12:26 \(Problem.unsetAccountVariable(account: "work", key: "ANTHROPIC_API_KEY", variable: "ANTHROPIC_KEY_WORK"))",
      "20:23 \(Problem.unsetAccountVariable(account: "openai", key: "OPENAI_API_KEY", variable: "OPENAI_KEY_TEAM"))",
    ])
  }

  @Test func schemaKnowsExactlyTheKeysTheValidatorKnows() {
    let defs = schema["$defs"] as! [String: Any]
    func keys(_ object: Any?) -> [String] {
      ((object as? [String: Any])?["properties"] as? [String: Any])?.keys.sorted() ?? []
    }
    let places: [String: Any?] = [
      "root": schema, "settings": defs["settings"], "admission": defs["admission"], "pr": defs["pr"], "agent": defs["agent"],
      "dialog": defs["dialog"], "project": defs["project"], "projectBlock": defs["projectBlock"],
      "select": defs["select"], "host": defs["host"], "kubernetes": defs["kubernetes"], "account": defs["account"],
      "budget": defs["budget"], "projectBudget": defs["projectBudget"], "prices": defs["prices"], "merge": defs["merge"],
      "gate_cache": defs["gate_cache"],
      "defaults": defs["defaults"], "sandbox": (defs["sandbox"] as? [String: Any]).flatMap { ($0["oneOf"] as? [Any])?.last },
    ]
    #expect(Set(places.keys) == Set(ManifestKeys.byPlace.keys))
    for (place, object) in places {
      #expect(keys(object) == ManifestKeys.byPlace[place]?.sorted(), "keys of \(place)")
    }
  }

  @Test func everyPropertyHasADescription() {
    var missing: [String] = []
    func walk(_ value: Any, path: String) {
      if let object = value as? [String: Any] {
        if let properties = object["properties"] as? [String: Any] {
          for (key, sub) in properties {
            let s = sub as? [String: Any] ?? [:]
            // A $ref to a shared definition carries the description there.
            if s["description"] == nil && s["$ref"] == nil { missing.append("\(path).\(key)") }
          }
        }
        for (key, sub) in object { walk(sub, path: "\(path)/\(key)") }
      }
    }
    walk(schema, path: "")
    #expect(missing.isEmpty, "\(missing)")
  }

  /// Runs Python's jsonschema on a YAML file; true when it validates.
  /// PyYAML and jsonschema live in the checkout's .venv (scripts/install-deps --tests).
  func schemaAccepts(_ file: String) throws -> Bool {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "\(packageRoot)/.venv/bin/python3")
    p.arguments = [
      "-c",
      """
      import json, sys, yaml, jsonschema
      s = json.load(open(sys.argv[1]))
      try:
          jsonschema.validate(yaml.safe_load(open(sys.argv[2])), s, cls=jsonschema.Draft202012Validator)
      except jsonschema.ValidationError as e:
          print(e.message); sys.exit(3)
      """,
      "\(packageRoot)/schema/wt.schema.json", file,
    ]
    try p.run()
    p.waitUntilExit()
    #expect([0, 3].contains(p.terminationStatus), "PyYAML and jsonschema must be in .venv: run scripts/install-deps --tests")
    return p.terminationStatus == 0
  }

  @Test(arguments: [
    "version: 1\nagents: {codex: {prompt_arg: none, trust_seed: none}, mine: {command: [x], ready: '> ', prompt_arg: --prompt, ready_delay: 2.5}}\n",
    "version: 1\nagents: {gemini: {prompt_arg: positional, hooks: gemini, trust_seed: gemini}}\n",
  ])
  func schemaAndValidatorBothAcceptTheNewAgentFields(_ text: String) throws {
    let box = Sandbox()
    let file = box.write("wt.yaml", text)
    #expect(!box.loader.load(file: file).diagnostics.hasErrors)
    #expect(try schemaAccepts(file))
  }

  @Test(arguments: examples) func schemaAcceptsEveryExample(_ example: String) throws {
    #expect(try schemaAccepts("\(packageRoot)/\(example)"))
  }

  @Test(arguments: [
    "version: 1\nprojects: {a: {path: a, worker: 3}}\n",
    "version: 1\nprojects: {a: {path: a, workers: -1}}\n",
    "version: 1\nprojects: {a: {path: a, on_done: squash}}\n",
    "version: 1\nprojects: {a: {path: a, select: {max_priority: 7}}}\n",
    "version: 2\n",
    "version: 1\nsettings: {ports: [1]}\n",
    "version: 1\nagents: {claude: {hooks: maybe}}\n",
    "version: 1\nagents: {codex: {prompt_arg: sometimes}}\n",
    "version: 1\nagents: {codex: {prompt_arg: \"--prompt x\"}}\n",
    "version: 1\nagents: {codex: {trust_seed: /etc/passwd}}\n",
    "version: 1\nagents: {aider: {ready_delay: 0}}\n",
    "version: 1\nagents: {aider: {ready_delay: 600}}\n",
    "version: 1\nprojects: {a: {path: a, copy: [../../.ssh/id_rsa]}}\n",
    "version: 1\nprojects: {a: {path: a, copy: [/etc/passwd]}}\n",
    "version: 1\nprojects: {a: {path: a, port_env: LD_PRELOAD}}\n",
    "version: 1\nprojects: {a: {path: a, port_env: PATH}}\n",
    "version: 1\nhosts: {b: {ssh: -oProxyCommand=x}}\n",
    "version: 1\nhosts: {b: {ssh: u@h, ssh_options: [ProxyCommand=x]}}\n",
    "version: 1\nhosts: {b: {port: 22}}\n",
    "version: 1\nhosts: {b: {ssh: u@h, worktree_root: wt}}\n",
    "version: 1\nhosts: {local: {ssh: u@h}}\n",
    "version: 1\naccounts: {w: {agent: claude, env: {ANTHROPIC_API_KEY: \"sk-${X}\"}}}\n",
    "version: 1\naccounts: {w: {agent: claude, env: {WT_CONFIG: x}}}\n",
    "version: 1\naccounts: {w: {env: {}}}\n",
    "version: 1\naccounts: {w: {agent: claude, colour: red}}\n",
    "version: 1\nprojects: {a: {path: a, accounts: w}}\n",
  ])
  func schemaAndValidatorBothRejectTheSameMistakes(_ text: String) throws {
    let box = Sandbox()
    box.mkdir("a")
    let file = box.write("wt.yaml", text)
    #expect(box.loader.load(file: file).diagnostics.hasErrors)
    #expect(try !schemaAccepts(file))
  }
}
