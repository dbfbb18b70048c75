import Foundation
import Manifest

/// One worker, named the ways a person or a hook names it: by bead id, by
/// worker name, by `$WT_WORKER`, or by standing in its worktree.
public struct WorkerRef: Equatable, Sendable {
  public var project: Project
  public var bead: String
  public var name: String { WorkerNaming.name(project: project.name, bead: bead) }
  public var branch: String
  public var worktree: String
  public var session: String { WorkerNaming.session(project: project.name, bead: bead) }

  /// The worker's record, or a fresh one.
  public func record(in state: State) -> WorkerRecord {
    state.workers[name] ?? WorkerRecord(for: change(.deliverPrompt, reasons: []))
  }

  /// A plan change that acts on this worker, so lifecycle commands run the
  /// same idempotent steps as apply.
  func change(_ step: Plan.Step, title: String = "", reasons: [String]) -> Plan.Change {
    Plan.Change(
      step: step, project: project.name, bead: bead, title: title, worker: name, branch: branch,
      worktree: worktree, session: session, agent: project.agent, reasons: reasons)
  }
}

public struct LifecycleError: Error, CustomStringConvertible, Sendable {
  public var message: String
  public init(_ message: String) { self.message = message }
  public var description: String { message }
}

extension World {
  /// Finds a worker: `selector` is a bead id or worker name; without one,
  /// `$WT_WORKER`, then the worktree that holds `directory`.
  public func locate(
    _ selector: String?, manifest: Manifest, environment: [String: String], directory: String
  ) async throws -> WorkerRef {
    let state = try store.load()
    let panes = try await tmux.panes().filter(\.isWorker)
    var candidates: [(project: String, bead: String, worktree: String, branch: String?)] = state.workers.values.map {
      ($0.project, $0.bead, $0.worktree, $0.branch)
    }
    for pane in panes where !candidates.contains(where: { $0.project == pane.project && $0.bead == pane.bead }) {
      candidates.append((pane.project, pane.bead, pane.worktree, nil))
    }
    let wanted = selector ?? environment["WT_WORKER"].flatMap { $0.isEmpty ? nil : $0 }
    var match: (project: String, bead: String, worktree: String, branch: String?)?
    if let wanted {
      let hits = candidates.filter { $0.bead == wanted || WorkerNaming.name(project: $0.project, bead: $0.bead) == wanted }
      if hits.count > 1 { throw LifecycleError("'\(wanted)' names workers in several projects; use PROJECT/BEAD") }
      match = hits.first
      if match == nil, selector != nil {
        // A bead with no worker yet: find its project by asking bd.
        for project in manifest.projects {
          if let bead = try? await tracker.show(wanted, in: project.path) {
            if let why = BeadID.refusal(bead.id) {
              throw LifecycleError("project '\(project.name)': bead id '\(bead.id)' is not one bd makes (\(why)); wt will not work on it")
            }
            let tree = WorkerNaming.worktree(root: manifest.settings.worktreeRoot, project: project.name, bead: bead.id)
            return WorkerRef(project: project, bead: bead.id, branch: WorkerNaming.branch(bead: bead.id), worktree: tree)
          }
        }
      }
    } else {
      let here = CanonicalPath.of(directory)
      match = candidates.first {
        let tree = CanonicalPath.of($0.worktree)
        return here == tree || here.hasPrefix(tree + "/")
      }
    }
    guard let match else {
      throw LifecycleError(
        selector.map { "no worker or bead '\($0)' found in any project of \(manifest.file)" }
          ?? "not inside a worker's worktree and $WT_WORKER is not set; name the bead")
    }
    guard let project = manifest.project(named: match.project) else {
      throw LifecycleError("worker \(match.bead) belongs to project '\(match.project)', which \(manifest.file) no longer declares")
    }
    return WorkerRef(
      project: project, bead: match.bead, branch: match.branch ?? WorkerNaming.branch(bead: match.bead),
      worktree: match.worktree)
  }
}
