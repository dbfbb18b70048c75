import Foundation
import Manifest

/// Workers stopped on their provider's limits (issue 23): resumed by the
/// clock at the limit's time, from `observed.now` alone, so the plan stays
/// pure and a restarted `wt auto` resumes the same workers at the same time.
extension Planner {
  /// A limited worker whose time came is resumed (its follow-up, once); one
  /// that hit the limit again after `max_resumes` resumes is handed to a
  /// person; one held, or limited until later, is said.
  mutating func planLimited(_ project: Project, bead: Bead, record: WorkerRecord, limit: Limit) {
    let max = manifest.settings.limits.maxResumes
    if limit.tries >= max && limit.kind.resumesByClock && record.held != true {
      add(.limitNeedsPerson("resumed \(limit.tries) time\(limit.tries == 1 ? "" : "s") and stopped on the limit each time (settings.limits.max_resumes: \(max)); last: \(limit.reason); 'wt resume \(bead.id)' tries again"),
          project, bead: bead, reasons: ["limited again after \(limit.tries) resumes; ask a person"])
      return
    }
    if record.held == true {
      result.notes.append(.init(project: project.name, text: "\(bead.id) is limited and held ('wt hold'); 'wt resume \(bead.id)' resumes it"))
      return
    }
    guard let at = limit.resumeAt(worker: record.name) else { return }
    guard observed.now >= at else {
      let waits = limit.agentContinues == true ? " (the agent continues by itself; wt takes over if it does not)" : ""
      result.notes.append(.init(project: project.name, text: "\(bead.id) is limited until \(Self.iso(limit.until ?? at))\(waits); it is resumed then"))
      return
    }
    add(.resumeAfterLimit, project, bead: bead,
        reasons: ["limited until \(Self.iso(limit.until ?? at)), which has passed: send the follow-up" + (limit.followUp == .sent ? " (sent, not confirmed: check, then press Enter only)" : "")])
  }

  static func iso(_ date: Date) -> String {
    let f = ISO8601DateFormatter()
    f.formatOptions = [.withInternetDateTime]
    return f.string(from: date)
  }
}

extension Limit {
  /// Whether the clock's resume of this limit is due at `now` for `worker`
  /// (`Planner.planLimited` decides the same).
  public func isDue(worker: String, now: Date) -> Bool {
    resumeAt(worker: worker).map { now >= $0 } ?? false
  }
}
