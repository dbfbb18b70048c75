import ArgumentParser
import Foundation
import Reconciler

extension WT {
  struct Queue: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "queue",
      abstract: "The merge queue: finished workers waiting, being gated, held or failed.",
      discussion: discussion(
        """
        'wt done' takes a ticket (first come, first served); whoever holds the repository's merge lock merges \
        every waiting entry, in batches gated once each. waiting: in line (position). gating: merged \
        off-checkout with its batch, the gate runs on the result. merged: in base, its 'wt done' finishing. \
        held: nothing merged because your checkout is busy (the loop merges it once free). failed: a conflict \
        or a failing gate, sent to the worker. interrupted: the 'wt done' that queued it is gone. \
        pull-request: opened by 'wt done' (on_done: pr, pr-auto) and followed by wt until it merges; reason \
        says its checks, review and round.
        """,
        example: "$ wt queue --json | jq -r '.entries[] | select(.phase == \"failed\").reason'"))

    @OptionGroup var options: ManifestOptions
    @OptionGroup var output: OutputOptions

    struct Row: Codable, Sendable {
      var project: String
      var bead: String
      var worker: String
      var branch: String
      var phase: String
      var reason: String?
      var pid: Int32
      var queuedAt: String
      var updatedAt: String
      /// The host whose queue it is; nil for this machine's.
      var host: String?
      /// Its place among the repository's entries in line (1 is next);
      /// nil once it is held, failed or done.
      var position: Int?
      /// The batch it is (or was last) gated in; shared by the entries
      /// gated together.
      var batch: String?
      var gatingSince: String?
      /// Seconds it waited before its gate started (or until now).
      var waited: Int?

      enum CodingKeys: String, CodingKey {
        case project, bead, worker, branch, phase, reason, pid, host, position, batch, waited
        case queuedAt = "queued_at"
        case updatedAt = "updated_at"
        case gatingSince = "gating_since"
      }

      /// `reason` is null when there is none, never missing.
      func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(project, forKey: .project)
        try c.encode(bead, forKey: .bead)
        try c.encode(worker, forKey: .worker)
        try c.encode(branch, forKey: .branch)
        try c.encode(phase, forKey: .phase)
        try c.encode(reason, forKey: .reason)
        try c.encode(pid, forKey: .pid)
        try c.encode(queuedAt, forKey: .queuedAt)
        try c.encode(updatedAt, forKey: .updatedAt)
        try c.encodeIfPresent(host, forKey: .host)
        try c.encode(position, forKey: .position)
        try c.encode(batch, forKey: .batch)
        try c.encode(gatingSince, forKey: .gatingSince)
        try c.encode(waited, forKey: .waited)
      }
    }

    func run() async throws {
      let context = try await Context(options)
      let manifest = context.manifest
      async let hosts = manifest.remoteProjects.isEmpty
        ? ([], [], []) : await Fleet.connect(manifest, environment: options.environment).rows(["queue", "--json"], key: ListKey.entries, marking: \Row.host)
      let format = ISO8601DateFormatter()
      let entries = try MergeQueue(world: context.world).entries()
      let now = Date()
      let rows = entries.map { entry in
        let order = manifest.project(named: entry.project).map { $0.merge.filling(from: manifest.settings.merge).resolved(parallelCap: 1).order }
        let inLine = MergeQueue.inLine(entries.filter { $0.project == entry.project }, order: order ?? .fifo)
        return Row(
          project: entry.project, bead: entry.bead, worker: entry.worker, branch: entry.branch,
          phase: entry.phase.rawValue, reason: entry.reason, pid: entry.pid, queuedAt: format.string(from: entry.queuedAt),
          updatedAt: format.string(from: entry.updatedAt),
          position: inLine.firstIndex { $0.worker == entry.worker }.map { $0 + 1 }, batch: entry.batch,
          gatingSince: entry.gatingSince.map { format.string(from: $0) }, waited: entry.waited(now: now))
      }
      let pulls = try context.world.openPullRequests(manifest).map { pr in
        Row(
          project: pr.record.project, bead: pr.record.bead, worker: pr.record.name, branch: pr.record.branch,
          phase: "pull-request",
          reason: "#\(pr.status.number) \(pr.status.url): checks \(pr.status.checks), review \(pr.status.review), round \(pr.status.round) of \(pr.status.maxRounds)",
          pid: 0, queuedAt: format.string(from: pr.record.createdAt),
          updatedAt: format.string(from: pr.record.statusAt ?? pr.record.createdAt))
      }
      let (remote, problems, _) = await hosts
      try Fleet.printList(ListKey.entries, rows + pulls + remote, problems: problems, json: output.isJSON, empty: "The merge queue is empty.") { row in
        (row.host.map { "\($0): " } ?? "") + (row.position.map { "\($0). " } ?? "")
          + "\(row.worker)  \(row.phase)  \(row.branch)  since \(row.updatedAt)"
          + (row.waited.map { ", waited \($0) s" } ?? "") + (row.batch.map { ", batch \($0)" } ?? "")
          + (row.reason.map { "\n    \($0)" } ?? "")
      }
    }
  }
}
