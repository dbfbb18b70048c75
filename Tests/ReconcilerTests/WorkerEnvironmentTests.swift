import Foundation
import Testing

@testable import Manifest
@testable import Reconciler

/// A worker's session starts with its tmux server's environment, which is
/// that of whichever wt started the server: what says which manifest and
/// which view of it the worker's wt reads must be set for every worker.
@Suite(.timeLimit(.minutes(2))) struct WorkerEnvironmentTests {
  /// On a machine that is both a host and the person's own, a local
  /// worker on a server that a driven wt started (with WT_HOST) must not
  /// read its manifest as that host's share.
  @Test func aLocalWorkerSetsNoHostAndNoRepositoryOrigin() {
    let manifest = PlanTests.manifest([PlanTests.project()])
    let env = World(manifest: manifest, environment: ["WT_HOST": "box1", "WT_CONFIG_ORIGIN": "repository"]).workerEnvironment
    #expect(env["WT_HOST"] == "")
    #expect(env["WT_CONFIG_ORIGIN"] == "")
  }

  @Test func aHostsWorkerSetsItsHost() {
    var manifest = PlanTests.manifest([PlanTests.project()])
    manifest.perspective = "box1"
    #expect(World(manifest: manifest, environment: [:]).workerEnvironment["WT_HOST"] == "box1")
  }

  /// Issue 21: in a manifest mixing Claude Code and Aider, Aider found
  /// ANTHROPIC_API_KEY and talked to the wrong vendor.
  @Test func eachBuiltInAgentKeepsOnlyItsOwnVendorsKeys() {
    let inherited = [
      "PATH", "HOME", "GH_TOKEN", "ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL", "OPENAI_API_KEY", "OPENAI_API_BASE",
      "GEMINI_API_KEY", "GOOGLE_API_KEY", "OPENROUTER_API_KEY",
    ]
    #expect(BuiltInAgents.aider.providerKeysToDrop(from: inherited) == [
      "ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL", "GEMINI_API_KEY", "GOOGLE_API_KEY", "OPENROUTER_API_KEY",
    ])
    #expect(BuiltInAgents.claude.providerKeysToDrop(from: inherited) == [
      "GEMINI_API_KEY", "GOOGLE_API_KEY", "OPENAI_API_BASE", "OPENAI_API_KEY", "OPENROUTER_API_KEY",
    ])
    #expect(BuiltInAgents.gemini.providerKeysToDrop(from: inherited) == [
      "ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL", "OPENAI_API_BASE", "OPENAI_API_KEY", "OPENROUTER_API_KEY",
    ])
  }

  /// What the profile's own `env` sets, or its `pass_env` names, stays; a
  /// profile a person declares without `pass_env` keeps everything.
  @Test func aProfileKeepsWhatItNames() {
    var aider = BuiltInAgents.aider
    aider.passEnv = ["ANTHROPIC_*"]
    #expect(aider.providerKeysToDrop(from: ["ANTHROPIC_API_KEY", "OPENAI_API_KEY"]) == ["OPENAI_API_KEY"])
    aider.env = ["OPENAI_API_KEY": "sk-project"]
    #expect(aider.providerKeysToDrop(from: ["ANTHROPIC_API_KEY", "OPENAI_API_KEY"]).isEmpty)
    let declared = AgentProfile(
      name: "mine", command: ["mine"], env: [:], sessionId: false, resume: [], ready: "> ", busy: nil, dialogs: [],
      hooks: .none)
    #expect(declared.providerKeysToDrop(from: ["ANTHROPIC_API_KEY", "OPENAI_API_KEY"]).isEmpty)
  }

  /// `pass_env` is read from the manifest, for a built-in and a new agent.
  @Test func passEnvIsReadFromTheManifest() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wt-passenv-\(UUID().uuidString.prefix(8))").path
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let file = "\(dir)/wt.yaml"
    try """
      version: 1
      agents:
        aider: {pass_env: [ANTHROPIC_*]}
      projects: {}
      """.write(toFile: file, atomically: true, encoding: .utf8)
    let manifest = try #require(ManifestLoader(environment: ["HOME": dir], currentDirectory: dir).load(file: file).manifest)
    #expect(manifest.agents["aider"]?.passEnv == ["ANTHROPIC_*"])
    #expect(manifest.agents["claude"]?.passEnv == ["ANTHROPIC_*", "CLAUDE_CODE_USE_BEDROCK", "CLAUDE_CODE_USE_VERTEX"])
  }
}
