import Foundation
import Testing
import TestSupport
@testable import Manifest
@testable import Reconciler

/// Each built-in profile's screen patterns. Aider's against screens
/// captured from the real binary here (Fixtures/aider-screens, README
/// there); Claude Code's are in ScreenReaderTests. The others cannot run
/// here (not installable offline): their patterns are tested on the text
/// the agent prints as quoted by the source named in each case.
@Suite(.timeLimit(.minutes(2))) struct AgentProfileTests {
  static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
    "Fixtures/aider-screens")

  func read(_ profile: AgentProfile, _ screen: String) throws -> ScreenState {
    try ScreenReader(profile: profile).state(of: screen)
  }

  @Test(arguments: [
    ("typed-not-submitted.txt", ScreenState.ready(input: "WRITE: b.txt slow hello")),
    ("busy-waiting.txt", .busy),
    ("busy-commit-message.txt", .busy),
    ("done-idle.txt", .ready(input: "")),
  ])
  func aiderOnRealScreens(_ name: String, _ expected: ScreenState) throws {
    let text = try String(contentsOf: Self.fixtures.appendingPathComponent(name), encoding: .utf8)
    #expect(try read(BuiltInAgents.aider, text) == expected)
  }

  @Test func aiderStartUpQuestionsAreAnsweredOnlyWhileAsked() throws {
    // The questions of Aider 0.86.2 (Tests/CLITests/AiderTests.swift runs
    // it; docs/agents.md), and that an answered one stays on screen.
    let asked = "Git repo: .git with 1 files\nAdd .aider* to .gitignore (recommended)? (Y)es/(N)o [Yes]: "
    #expect(try read(BuiltInAgents.aider, asked) == .dialog(0))
    #expect(try read(BuiltInAgents.aider, asked + "n\nwhole> ") == .ready(input: ""))
    let news = "Would you like to see what's new in this version? (Y)es/(N)o [Yes]: "
    #expect(try read(BuiltInAgents.aider, news) == .dialog(1))
  }

  /// A pasted multi-line prompt shows every line after Aider's prompt; the
  /// line the box ends on is still our own text, so Enter is retried, not
  /// the paste.
  @Test func aiderShowsEveryPastedLineWithItsPrompt() {
    #expect(PromptDelivery.holds("WRITE: b.txt slow hello", "Work on bead demo-b2: Write b\nWRITE: b.txt slow hello"))
    #expect(!PromptDelivery.holds("something else", "Work on bead demo-b2: Write b\nWRITE: b.txt slow hello"))
  }

  @Test(arguments: [
    // ccmanager src/services/stateDetector/codex.test.ts
    ("codex", "Processing...\nEsc to interrupt\nWorking...", ScreenState.busy),
    ("codex", "Would you like to run the following command?\n$ git add test.ts\n› 1. Yes, proceed (y)\n  2. Yes, and don't ask again for this command (a)\nPress enter to confirm or esc to cancel", .unknown),
    // ccmanager src/services/stateDetector/gemini.ts ("esc to cancel")
    ("gemini", "⠋ Thinking… (esc to cancel, 3s)", .busy),
    // ccmanager src/services/stateDetector/cursor.ts ("ctrl+c to stop")
    ("cursor", "Generating… ctrl+c to stop", .busy),
    // corveil/crow issue 954 quotes the whole dialog
    ("cursor", "⚠ Workspace Trust Required\nCursor Agent can execute code and access files in this directory.\nDo you trust the contents of this directory?\n\n  /Users/x/reviews/pr-2152\n\n▶ [a] Trust this workspace\n  [q] Quit", .dialog(0)),
    // ccmanager src/services/stateDetector/github-copilot.ts ("esc to cancel")
    ("copilot", "∙ Thinking (esc to cancel)", .busy),
    // ccmanager src/services/stateDetector/opencode.ts (/esc.*interrupt/)
    ("opencode", "Build  gpt-4o  esc interrupt", .busy),
    // block/goose quickstart: the Rust CLI's prompt; the Python one's README
    ("goose", "starting session | provider: openai\n( O)> Press Enter to send, Ctrl-J for new line", .ready(input: "Press Enter to send, Ctrl-J for new line")),
    ("goose", "G❯ ", .ready(input: "")),
  ])
  func patternsOnTheTextTheAgentsPrint(_ agent: String, _ screen: String, _ expected: ScreenState) throws {
    #expect(try read(BuiltInAgents.all[agent]!, screen) == expected)
  }

  @Test func everyBuiltInPatternCompilesAndResumeNamesTheSession() throws {
    for (name, p) in BuiltInAgents.all {
      _ = try ScreenReader(profile: p)
      #expect(p.name == name)
      if !p.resume.isEmpty { #expect(p.resume.contains { $0.source == "{{worker.session_id}}" }, "\(name)") }
    }
  }

  /// Busy is read before ready, on the last lines only: an old spinner up
  /// in the scrollback says nothing about now.
  @Test func onlyTheLastLinesCount() throws {
    let old = "Waiting for openai/gpt-4o\n" + String(repeating: "output\n", count: ScreenReader.tailLines + 2) + "whole> "
    #expect(try read(BuiltInAgents.aider, old) == .ready(input: ""))
    #expect(try read(BuiltInAgents.aider, "whole> x\n░█ Waiting for openai/gpt-4o") == .busy)
  }

  @Test func aPromptOnTheCommandLineIsOneInertArgument() {
    #expect(PromptText.commandLine("-rf /") == " -rf /")
    #expect(PromptText.commandLine("--help") == " --help")
    #expect(PromptText.commandLine("Fix it\u{1B}[201~\nnow\n") == "Fix it\nnow")
    #expect(PromptText.commandLine("/clear") == " /clear")
  }
}

/// What a trust seed writes, and where it refuses to.
@Suite(.timeLimit(.minutes(2))) struct TrustSeedTests {
  func tempHome() throws -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wt-seed-\(UUID().uuidString.prefix(8))").path
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
  }

  @Test func codexGetsAProjectTrustEntryOnce() throws {
    let home = try tempHome()
    try FileManager.default.createDirectory(atPath: "\(home)/.codex", withIntermediateDirectories: true)
    try "model = \"o3\"".write(toFile: "\(home)/.codex/config.toml", atomically: true, encoding: .utf8)
    try TrustSeed.seed(.codex, worktree: "/w/demo/a\"b", home: home)
    try TrustSeed.seed(.codex, worktree: "/w/demo/a\"b", home: home)
    let text = try String(contentsOfFile: "\(home)/.codex/config.toml", encoding: .utf8)
    #expect(text == "model = \"o3\"\n\n[projects.\"/w/demo/a\\\"b\"]\ntrust_level = \"trusted\"\n")
  }

  @Test func geminiKeepsOtherFolders() throws {
    let home = try tempHome()
    try FileManager.default.createDirectory(atPath: "\(home)/.gemini", withIntermediateDirectories: true)
    try #"{"/mine": "DO_NOT_TRUST"}"#.write(toFile: "\(home)/.gemini/trustedFolders.json", atomically: true, encoding: .utf8)
    try TrustSeed.seed(.gemini, worktree: "/w/demo/x", home: home)
    let data = try Data(contentsOf: URL(fileURLWithPath: "\(home)/.gemini/trustedFolders.json"))
    let folders = try JSONSerialization.jsonObject(with: data) as? [String: String]
    #expect(folders == ["/mine": "DO_NOT_TRUST", "/w/demo/x": "TRUST_FOLDER"])
  }

  @Test func cursorMarksTheWorkspace() throws {
    let home = try tempHome()
    try TrustSeed.seed(.cursor, worktree: "/w/demo/x.y", home: home)
    let data = try Data(contentsOf: URL(fileURLWithPath: "\(home)/.cursor/projects/w-demo-xy/.workspace-trusted"))
    let object = try JSONSerialization.jsonObject(with: data) as? [String: String]
    #expect(object?["workspacePath"] == "/w/demo/x.y")
  }

  /// On a full disk the person's file is left exactly as it was (it was
  /// cut to the first 4 KiB), and the message names it. A small tmpfs of
  /// the test's own is the full disk; where this machine lets no test
  /// mount one, there is nothing to run.
  @Test func aFullDiskLeavesTheFileAsItWas() throws {
    let mountPoint = try tempHome()
    defer {
      _ = try? runChild("/usr/bin/env", ["umount", mountPoint])
      try? FileManager.default.removeItem(atPath: mountPoint)
    }
    guard (try? runChild("/usr/bin/env", ["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", mountPoint]))?.status == 0 else { return }
    let home = "\(mountPoint)/home"
    try FileManager.default.createDirectory(atPath: "\(home)/.codex", withIntermediateDirectories: true)
    let config = "\(home)/.codex/config.toml"
    let original = "token = \"secret\"\n" + String(repeating: "# padding line\n", count: 250)
    try original.write(toFile: config, atomically: false, encoding: .utf8)
    _ = try? runChild("/usr/bin/env", ["dd", "if=/dev/zero", "of=\(mountPoint)/filler", "bs=4k", "count=100000"])
    #expect {
      try TrustSeed.seed(.codex, worktree: "/w/demo/\(String(repeating: "long-", count: 400))", home: home)
    } throws: { error in
      "\(error)".contains(config)
    }
    #expect(try String(contentsOfFile: config, encoding: .utf8) == original)
  }

  /// A link planted in the agent's home (or a repository's worktree) never
  /// makes wt write elsewhere.
  @Test func refusesLinks() throws {
    let home = try tempHome()
    let elsewhere = try tempHome()
    try FileManager.default.createSymbolicLink(atPath: "\(home)/.codex", withDestinationPath: elsewhere)
    #expect(throws: StateError.self) { try TrustSeed.seed(.codex, worktree: "/w/x", home: home) }
    #expect(!FileManager.default.fileExists(atPath: "\(elsewhere)/config.toml"))
  }

  /// Issue 21: a `0600` `~/.codex/config.toml` (it holds a token) turned
  /// `0644`, and its hard link was split from it.
  @Test func keepsTheFilesModeAndItsHardLinks() throws {
    let home = try tempHome()
    let config = "\(home)/.codex/config.toml", linked = "\(home)/dotfiles-config.toml"
    try FileManager.default.createDirectory(atPath: "\(home)/.codex", withIntermediateDirectories: true)
    try "token = \"secret\"\n".write(toFile: config, atomically: true, encoding: .utf8)
    try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: config)
    try FileManager.default.linkItem(atPath: config, toPath: linked)
    try TrustSeed.seed(.codex, worktree: "/w/demo/x", home: home)
    let attributes = try FileManager.default.attributesOfItem(atPath: config)
    #expect(attributes[.posixPermissions] as? Int == 0o600)
    #expect(attributes[.referenceCount] as? Int == 2)
    #expect(try String(contentsOfFile: linked, encoding: .utf8).contains("[projects.\"/w/demo/x\"]"))
  }

  /// A trust file wt creates may come to hold the agent's secrets.
  @Test func aNewTrustFileIsThePersonsAlone() throws {
    let home = try tempHome()
    try TrustSeed.seed(.gemini, worktree: "/w/demo/x", home: home)
    let attributes = try FileManager.default.attributesOfItem(atPath: "\(home)/.gemini/trustedFolders.json")
    #expect(attributes[.posixPermissions] as? Int == 0o600)
  }

  /// Issue 21: a symbolic link anywhere on the way, here
  /// `~/.cursor/projects`, was written through.
  @Test func refusesALinkDeeperOnTheWay() throws {
    let home = try tempHome()
    let elsewhere = try tempHome()
    try FileManager.default.createDirectory(atPath: "\(home)/.cursor", withIntermediateDirectories: true)
    try FileManager.default.createSymbolicLink(atPath: "\(home)/.cursor/projects", withDestinationPath: elsewhere)
    #expect(throws: StateError.self) { try TrustSeed.seed(.cursor, worktree: "/w/demo/x", home: home) }
    #expect(try FileManager.default.contentsOfDirectory(atPath: elsewhere).isEmpty)
  }

  /// A link as the file itself is refused too, and left as it is.
  @Test func refusesALinkedTrustFile() throws {
    let home = try tempHome()
    let elsewhere = try tempHome()
    try FileManager.default.createDirectory(atPath: "\(home)/.gemini", withIntermediateDirectories: true)
    try FileManager.default.createSymbolicLink(atPath: "\(home)/.gemini/trustedFolders.json", withDestinationPath: "\(elsewhere)/t.json")
    #expect(throws: StateError.self) { try TrustSeed.seed(.gemini, worktree: "/w/demo/x", home: home) }
    #expect(!FileManager.default.fileExists(atPath: "\(elsewhere)/t.json"))
  }
}

/// Resuming only a session the agent still has.
@Suite(.timeLimit(.minutes(2))) struct SessionExistsTests {
  @Test func aClaudeSessionExistsOnlyWithItsTranscript() async throws {
    let w = try await TestWorld()
    let applier = Applier(manifest: try w.manifest(), world: try w.world)
    let home = "\(w.root)/home"
    let id = "0e4c8d2a-1b2c-4d5e-8f90-123456789abc"
    #expect(!applier.sessionExists(id, profile: BuiltInAgents.claude, environment: ["HOME": home]))
    try FileManager.default.createDirectory(atPath: "\(home)/.claude/projects/-w-demo-x", withIntermediateDirectories: true)
    try "{}".write(toFile: "\(home)/.claude/projects/-w-demo-x/\(id).jsonl", atomically: true, encoding: .utf8)
    #expect(applier.sessionExists(id, profile: BuiltInAgents.claude, environment: ["HOME": home]))
    // Where wt does not know the store, the resume is tried (and falls
    // back to a fresh start if the agent exits at once).
    #expect(applier.sessionExists(id, profile: BuiltInAgents.gemini, environment: ["HOME": home]))
  }

  /// A worker whose Claude Code keeps its files in `CLAUDE_CONFIG_DIR`
  /// (a profile's or an account's) has its sessions there, not under
  /// HOME: looking under HOME alone threw a live session away for a
  /// fresh start.
  @Test func aClaudeSessionIsFoundUnderItsConfigDirectory() async throws {
    let w = try await TestWorld()
    let applier = Applier(manifest: try w.manifest(), world: try w.world)
    let config = "\(w.root)/claude-work"
    let id = "0e4c8d2a-1b2c-4d5e-8f90-123456789abd"
    try FileManager.default.createDirectory(atPath: "\(config)/projects/-w-demo-x", withIntermediateDirectories: true)
    try "{}".write(toFile: "\(config)/projects/-w-demo-x/\(id).jsonl", atomically: true, encoding: .utf8)
    let env = ["HOME": "\(w.root)/home", "CLAUDE_CONFIG_DIR": config]
    #expect(applier.sessionExists(id, profile: BuiltInAgents.claude, environment: env))
    #expect(!applier.sessionExists(id, profile: BuiltInAgents.claude, environment: ["HOME": "\(w.root)/home"]))
  }
}
