import Foundation
import Manifest
import Testing
@testable import Reconciler

/// What an agent without hooks shows on its screen, recorded as the event
/// a hook would have sent (so the state file, the status line's count and
/// notify know it).
@Suite(.timeLimit(.minutes(1))) struct ScreenTransitionsTests {
  let aider = BuiltInAgents.aider

  func record(_ state: WorkerState, origin: WorkerCondition.Origin? = nil) -> WorkerRecord {
    var r = WorkerRecord(name: "p/p-1", project: "p", bead: "p-1", branch: "wt/p-1", worktree: "/w", createdAt: Date())
    r.prompt = .delivered
    r.status = state
    if let origin { r.statusOrigin = origin }
    return r
  }

  @Test func aQuestionTheProfileLeavesToThePersonNeedsThePerson() throws {
    let shell = try #require(aider.questions.firstIndex { !$0.answered })
    let event = World.screenEvent(
      .question(shell, text: "Tokens: 2.9k sent. Cost: $0.01\npython -m pytest -q\nRun shell command? (Y)es/(N)o [Yes]:"),
      record: record(.working), profile: aider, agent: "aider")
    #expect(event == .notified("aider asks: Run shell command? (Y)es/(N)o [Yes]: — python -m pytest -q — Tokens: 2.9k sent. Cost: $0.01", .question))
    let next = WorkerCondition.next(after: record(.working).condition, on: try #require(event))
    #expect(next.state == .needsInput)
  }

  @Test func anAnsweredQuestionOrABusyScreenIsWorkAndAReadyScreenEndsTheTurnOrTheQuestion() throws {
    let file = try #require(aider.questions.firstIndex { $0.answered })
    #expect(World.screenEvent(.question(file, text: "Create new file?"), record: record(.working), profile: aider, agent: "aider") == .toolUsed)
    #expect(World.screenEvent(.busy, record: record(.needsInput, origin: .question), profile: aider, agent: "aider") == .toolUsed)
    #expect(World.screenEvent(.ready(input: ""), record: record(.working), profile: aider, agent: "aider") == .turnEnded(apiError: false))
    let asked = record(.needsInput, origin: .question)
    let event = try #require(World.screenEvent(.ready(input: ""), record: asked, profile: aider, agent: "aider"))
    #expect(event == .screenAsksNothing(busy: false))
    #expect(WorkerCondition.next(after: asked.condition, on: event).state == .idle)
    // What a person said stays until they or the agent say otherwise.
    let said = record(.needsInput, origin: .said)
    #expect(WorkerCondition.next(after: said.condition, on: .toolUsed) == said.condition)
  }
}
