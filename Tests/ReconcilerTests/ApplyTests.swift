import Foundation
import Manifest
import Presentation
import Testing
@testable import Reconciler

/// Apply on real git, real tmux (a private server per test), the bd double
/// and the scripted agent.
func allDone(_ reports: [StepReport]) -> Bool { !reports.contains { $0.failed } }

@Suite(.serialized, .timeLimit(.minutes(2))) struct ApplyTests {
  @Test func diffChangesNothing() async throws {
    let w = try await TestWorld()
    let a = try await w.createBead("First", priority: 1)
    let b = try await w.createBead("Second", priority: 2)
    let plan = try await w.plan()
    #expect(plan.changes.map(\.bead) == [a])
    #expect(plan.changes.map(\.action) == [.create])
    #expect(plan.waiting.map(\.bead) == [b])
    #expect(plan.waiting.first?.reason == "no free slot: project 'demo' runs its 1 worker")
    #expect(try await w.panes().isEmpty)
    #expect(!w.exists(w.worktree(a)))
    #expect(try await w.bead(a)?.status == .open)
    #expect(try await w.bead(a)?.assignee == nil)
  }

  @Test func applyConvergesAndASecondPassHasNothingToDo() async throws {
    let w = try await TestWorld()
    let a = try await w.createBead("First")
    let reports = try await w.apply()
    #expect(reports.map(\.outcome) == [.done("prompt delivered to wt-demo__\(a)")])
    let panes = try await w.panes()
    #expect(panes.map(\.session) == ["wt-demo__\(a)"])
    #expect(panes.first.map { [$0.project, $0.bead, $0.worktree] } == ["demo", a, w.worktree(a)])
    #expect(w.exists("\(w.worktree(a))/README.md"))
    let bead = try await w.bead(a)
    #expect(bead?.status == .inProgress)
    #expect(bead?.assignee == "wt")
    #expect(w.prompts().map { $0["prompt"] as? String } == ["Work on \(a): First"])
    #expect(try await w.git("rev-parse", "--abbrev-ref", "HEAD", in: w.worktree(a)) == "wt/\(a)\n")
    let again = try await w.plan()
    #expect(again.isEmpty, "\(again.rendered())")
    #expect(try await w.apply().isEmpty)
    #expect(w.prompts().count == 1)
  }

  @Test func aClosedBeadsWorkerGoesAndTheNextBeadStarts() async throws {
    let w = try await TestWorld()
    let a = try await w.createBead("First", priority: 1)
    let b = try await w.createBead("Second", priority: 2)
    try await w.apply()
    try await w.bd("close", a, "--reason", "done")
    let plan = try await w.plan()
    #expect(plan.changes.map { "\($0.action.rawValue)\($0.bead)" } == ["-\(a)", "+\(b)"])
    let reports = try await w.apply()
    #expect(allDone(reports), "\(reports)")
    #expect(try await w.panes().map(\.bead) == [b])
    #expect(!w.exists(w.worktree(a)))
    #expect(try await w.git("branch", "--list", "wt/\(a)").isEmpty)
    #expect(try await w.plan().isEmpty)
  }

  @Test func aDirtyWorktreeIsKeptAndSaidSo() async throws {
    let w = try await TestWorld()
    let a = try await w.createBead("First")
    try await w.apply()
    try "work in progress\n".write(toFile: "\(w.worktree(a))/notes.txt", atomically: true, encoding: .utf8)
    try await w.bd("close", a)
    let reports = try await w.apply()
    #expect(reports.map(\.outcome) == [.done("stopped wt-demo__\(a); kept \(w.worktree(a)): 1 uncommitted file")])
    #expect(w.exists("\(w.worktree(a))/notes.txt"))
    let after = try await w.plan()
    #expect(after.isEmpty)
    #expect(after.notes.map(\.text) == ["kept \(w.worktree(a)): 1 uncommitted file"])
  }

  @Test func unmergedCommitsAreKeptAndSquashMergedBranchesGo() async throws {
    let w = try await TestWorld(agentEnv: [:])
    try w.writeManifest(workers: 2)
    let a = try await w.createBead("Unmerged")
    let b = try await w.createBead("Squashed")
    try await w.apply()
    for id in [a, b] {
      try "change \(id)\n".write(toFile: "\(w.worktree(id))/\(id).txt", atomically: true, encoding: .utf8)
      try await w.git("add", "-A", in: w.worktree(id))
      try await w.git("commit", "-q", "-m", "work on \(id)", in: w.worktree(id))
    }
    try await w.git("merge", "--squash", "-q", "wt/\(b)")
    try await w.git("commit", "-q", "-m", "squash \(b)")
    try await w.bd("close", a, b)
    let reports = try await w.apply()
    #expect(
      Set(reports.map(\.outcome)) == [
        .done("stopped wt-demo__\(a); kept \(w.worktree(a)): 1 commit not in main"),
        .done("stopped wt-demo__\(b); removed \(w.worktree(b))"),
      ])
    #expect(w.exists("\(w.worktree(a))/\(a).txt"))
    #expect(!w.exists(w.worktree(b)))
  }

  @Test func aKilledSessionComesBackInItsWorktree() async throws {
    let w = try await TestWorld()
    let a = try await w.createBead("First")
    try await w.apply()
    _ = try await w.tmux("kill-session", "-t", "wt-demo__\(a)")
    let plan = try await w.plan()
    #expect(plan.changes.map(\.step) == [.start(adopt: true)])
    let reports = try await w.apply()
    #expect(allDone(reports), "\(reports)")
    #expect(try await w.panes().map(\.bead) == [a])
    // The prompt was delivered before; the session is resumed, not re-prompted.
    #expect(w.prompts().count == 1)
    #expect(try await w.plan().isEmpty)
  }

  @Test func aResumeThatFailsFallsBackToAFreshPromptedSession() async throws {
    let w = try await TestWorld()
    try w.writeManifest(resume: "/usr/bin/false")
    let a = try await w.createBead("First")
    try await w.apply()
    _ = try await w.tmux("kill-session", "-t", "wt-demo__\(a)")
    let reports = try await w.apply()
    #expect(reports.map(\.outcome) == [.done("prompt delivered to wt-demo__\(a)")])
    #expect(w.prompts().count == 2)
    #expect(Set(w.prompts().compactMap { $0["session"] as? String }).count == 2)
    #expect(try await w.plan().isEmpty)
  }

  @Test func anAgentThatExitedIsRestarted() async throws {
    let w = try await TestWorld()
    let a = try await w.createBead("First")
    try await w.apply()
    let pane = try #require(try await w.panes().first)
    kill(pane.pid, SIGKILL)
    // tmux marks the pane dead once it has reaped the agent.
    #expect(try await w.eventually { try await w.panes().first?.dead == true })
    let plan = try await w.plan()
    guard case .restartAgent(let session?) = plan.changes.first?.step else {
      Issue.record("expected a restart with resume, got \(plan.changes)")
      return
    }
    try await w.apply()
    #expect(try await w.panes().first?.dead == false)
    #expect(try await w.plan().isEmpty)
    let record = try StateStore(directory: w.stateDir).load().workers["demo/\(a)"]
    #expect(record?.sessionId == session)
    #expect(record?.restarts == 1)
  }

  /// A call for help belongs to the agent that made it: one that exited
  /// and is started again by apply has nothing standing, also without
  /// hooks to say so (the scripted agent has none, as Aider has none).
  @Test func aRestartedAgentStartsWithNoQuestionStanding() async throws {
    let w = try await TestWorld()
    let a = try await w.createBead("First")
    try await w.apply()
    let store = StateStore(directory: w.stateDir)
    try StatusSignal(store: store).record(worker: "demo/\(a)", event: .declared(.needsInput, "which file?"))
    let pane = try #require(try await w.panes().first)
    kill(pane.pid, SIGKILL)
    #expect(try await w.eventually { try await w.panes().first?.dead == true })
    #expect(allDone(try await w.apply()))
    let record = try store.load().workers["demo/\(a)"]
    #expect(record?.status != .needsInput, "\(String(describing: record?.status)): \(record?.statusMessage ?? "")")
    #expect(record?.statusMessage != "which file?")
  }

  /// A start whose setup failed gives the bead back; the next start runs
  /// the setup again in the worktree it left, and only then the agent
  /// (it used to start the agent in a worktree whose setup never ran
  /// through).
  @Test func aFailedSetupRunsAgainOnTheNextStart() async throws {
    let w = try await TestWorld()
    let count = "\(w.root)/setup.count", ok = "\(w.root)/setup.ok"
    try w.writeManifest(extra: "defaults:\n  setup: [[sh, -c, \"echo ran >> '\(count)'; test -f '\(ok)'\"]]")
    let a = try await w.createBead("First")
    let first = try await w.apply()
    #expect(first.first?.failed == true, "\(first)")
    #expect(try await w.bead(a)?.status == .open)
    try "".write(toFile: ok, atomically: true, encoding: .utf8)
    #expect(allDone(try await w.apply()))
    #expect(try String(contentsOfFile: count, encoding: .utf8) == "ran\nran\n")
    #expect(try await w.bead(a)?.status == .inProgress)
    #expect(try StateStore(directory: w.stateDir).load().workers["demo/\(a)"]?.setupPending == nil)
  }

  /// A step whose session went away because the worker finished (its own
  /// `wt done` closed the bead and ended it) is no failure of the pass.
  @Test func aSessionGoneBecauseItsBeadWasFinishedIsNoFailure() async throws {
    let w = try await TestWorld()
    let a = try await w.createBead("First")
    try await w.apply()
    try await w.bd("close", a, "--reason", "done")
    _ = try await w.tmux("kill-session", "-t", "=wt-demo__\(a)")
    let change = Plan.Change(
      step: .deliverPrompt, project: "demo", bead: a, title: "First", worker: "demo/\(a)",
      branch: "wt/\(a)", worktree: w.worktree(a), session: "wt-demo__\(a)", agent: "fake", reasons: [])
    let reports = await Applier(manifest: try w.manifest(), world: try w.world).apply(Plan(changes: [change]))
    #expect(reports.map(\.outcome) == [.done("\(a) was finished meanwhile; its session is gone")])
  }

  @Test func beadTextIsInert() async throws {
    let w = try await TestWorld()
    let marker = "\(w.root)/pwned"
    let title = "$(touch \(marker)); `touch \(marker)`; rm -rf ~ #{session_name} ;"
    let a = try await w.createBead(title)
    let reports = try await w.apply()
    #expect(allDone(reports), "\(reports)")
    #expect(w.prompts().map { $0["prompt"] as? String } == ["Work on \(a): \(title)"])
    #expect(!w.exists(marker))
  }

  @Test func theTrustDialogIsAnsweredAndEarlyKeysAreNotLost() async throws {
    let w = try await TestWorld(agentEnv: ["FAKE_AGENT_TRUST": "1", "FAKE_AGENT_READY_LAG": "1", "FAKE_AGENT_DROP_ENTERS": "1"])
    let a = try await w.createBead("Trust me")
    let reports = try await w.apply()
    #expect(reports.map(\.outcome) == [.done("prompt delivered to wt-demo__\(a)")])
    #expect(w.prompts().map { $0["prompt"] as? String } == ["Work on \(a): Trust me"])
  }

  @Test func aBeadHeldBySomeoneElseIsSkipped() async throws {
    let w = try await TestWorld()
    let a = try await w.createBead("Contested")
    let manifest = try w.manifest()
    let world = try w.world
    let observed = try await world.observe(manifest)
    let plan = Reconciler.plan(manifest, observed)
    try await w.bd("update", a, "--claim", "--actor", "alice")
    let reports = await Applier(manifest: manifest, world: world).apply(plan)
    #expect(reports.map(\.outcome) == [.skipped("bead \(a) is claimed by alice")])
    #expect(try await w.panes().isEmpty)
    #expect(!w.exists(w.worktree(a)))
  }

  @Test func aBeadClaimedByWtWithoutAWorkerIsReleasedWhenNoSlotIsFree() async throws {
    let w = try await TestWorld()
    try w.writeManifest(workers: 0)
    let a = try await w.createBead("Orphan")
    try await w.bd("update", a, "--claim", "--actor", "wt")
    let plan = try await w.plan()
    #expect(plan.changes.map(\.step) == [.teardown(releaseBead: true)])
    try await w.apply()
    let bead = try await w.bead(a)
    #expect(bead?.status == .open)
    #expect(bead?.assignee == nil)
  }
}

@Suite(.timeLimit(.minutes(2))) struct StateStoreTests {
  @Test func aFailedWriteLeavesTheOldStateWhole() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wt-state-\(UUID().uuidString.prefix(8))").path
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let store = StateStore(directory: dir)
    let old = State(workers: ["a/x": WorkerRecord(name: "a/x", project: "a", bead: "x", branch: "wt/x", worktree: "/w/x", createdAt: Date(timeIntervalSince1970: 0))])
    try store.save(old)
    // The temporary file cannot be created (as on a full disk).
    try FileManager.default.createDirectory(atPath: "\(dir)/state.json.\(getpid()).tmp", withIntermediateDirectories: true)
    #expect(throws: StateError.self) { try store.save(State()) }
    #expect(try store.load() == old)
  }

  /// A line cut short by a crash or a full disk costs that line only: the
  /// next event starts on a line of its own and is read.
  @Test func anEventAfterATornLineIsKept() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wt-state-\(UUID().uuidString.prefix(8))").path
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let store = StateStore(directory: dir)
    store.record(.created(bead: "b-1", session: "s1", worktree: "/w"), worker: "p/b-1")
    let handle = try #require(FileHandle(forWritingAtPath: "\(dir)/events.jsonl"))
    handle.seekToEndOfFile()
    handle.write(Data(#"{"event":"done","wor"#.utf8))
    handle.closeFile()
    store.record(.abandoned(deleted: false), worker: "p/b-1")
    let history = History(store: store)
    #expect(history.sessions(bead: "b-1").first?.end == "abandoned")
    #expect(history.damagedLines == 1)
  }

  /// A state folder that is a file is a sentence naming it, never
  /// Foundation's dictionary dump.
  @Test func aStateFolderThatIsAFileIsNamed() throws {
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("wt-state-\(UUID().uuidString.prefix(8))").path
    defer { try? FileManager.default.removeItem(atPath: file) }
    try "x".write(toFile: file, atomically: true, encoding: .utf8)
    let store = StateStore(directory: file + "/wt")
    do {
      try store.update { $0.workers = [:] }
      Issue.record("the update succeeded")
    } catch {
      let text = "\(error)"
      #expect(text.contains("\(file) is a file, not a folder"), "\(text)")
      #expect(!text.contains("NS"), "\(text)")
    }
  }

  @Test func concurrentUpdatesLoseNothing() async throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wt-state-\(UUID().uuidString.prefix(8))").path
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let store = StateStore(directory: dir)
    try await withThrowingTaskGroup(of: Void.self) { group in
      for i in 0..<40 {
        group.addTask {
          try store.update { state in
            state.workers["p/\(i)"] = WorkerRecord(name: "p/\(i)", project: "p", bead: "\(i)", branch: "", worktree: "", createdAt: Date())
          }
        }
      }
      try await group.waitForAll()
    }
    #expect(try store.load().workers.count == 40)
  }
}
