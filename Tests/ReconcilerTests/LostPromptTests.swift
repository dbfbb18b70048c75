import Foundation
import Testing

@testable import Reconciler

/// A prompt recorded as sent to an agent that is gone with its tmux server
/// (killed between wt's paste and the agent's confirmation): the agent wt
/// starts in its place is a new one, which never had it.
@Suite(.timeLimit(.minutes(2))) struct LostPromptTests {
  @Test func aPromptSentToAnAgentThatDiedWithItsServerIsDeliveredToTheNewOne() async throws {
    let w = try await TestWorld()
    let id = try await w.createBead("First")
    try await w.apply()
    #expect(w.prompts().count == 1)
    // What a tmux server killed mid-delivery leaves: no session, and the
    // record saying the prompt was sent but not confirmed.
    _ = try? await w.tmux("kill-server")
    try w.world.store.update { $0.workers["demo/\(id)"]?.prompt = .sent }

    let reports = try await w.apply()
    #expect(reports.map(\.outcome).contains(.done("prompt delivered to wt-demo__\(id)")), "\(reports)")
    #expect(try await w.eventually { w.prompts().count == 2 }, "the new agent never got the prompt: \(w.prompts())")
    let sessions = Set(w.prompts().compactMap { $0["session"] as? String })
    #expect(sessions.count == 2, "\(w.prompts())")
  }
}
