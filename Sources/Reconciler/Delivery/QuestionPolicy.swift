import Foundation
import Manifest

extension World {
  /// Answers the questions that workers' agents ask while they work, where
  /// their profile's `questions` policy has an answer (Aider's "Create new
  /// file?"). A question without one is left on the screen: the worker
  /// reads as `needs-input` with it (`row` in StatusReport.swift). The
  /// looks that run unattended call this each time, so an answered kind
  /// never waits for a person; nothing here ever sends a prompt.
  @discardableResult
  public func answerQuestions(_ manifest: Manifest, _ observed: Observed) async -> [String] {
    var answered: [String] = []
    let panes = observed.panes.filter { $0.isWorker && !$0.hub && !$0.dead }
    for pane in panes {
      let name = WorkerNaming.name(project: pane.project, bead: pane.bead)
      let record = observed.state.workers[name]
      guard let project = manifest.project(named: pane.project),
        let profile = manifest.agents[record?.agent ?? project.agent],
        profile.questions.contains(where: \.answered),
        // Before the prompt went, a question is not the agent at work on
        // the bead; delivery handles that screen.
        record?.prompt != .pending,
        let reader = try? ScreenReader(profile: profile),
        let screen = try? await tmux.capture(pane: pane.paneID),
        case .question(let i, let text) = reader.state(of: screen),
        profile.questions[i].answered
      else { continue }
      guard (try? await tmux.sendKeys(pane: pane.paneID, profile.questions[i].keys)) != nil else { continue }
      store.record(.questionAnswered(question: PromptText.argument(text)), worker: name)
      answered.append(name)
    }
    return answered
  }
}
