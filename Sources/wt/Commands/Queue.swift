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
        'wt done' queues a worker; one merger per repository runs at a time. waiting: behind another merge. \
        gating: merged off-checkout, the gate runs on the result. held: nothing merged because your checkout \
        is busy ('wt done' again merges it). failed: a conflict or a failing gate, sent to the worker. \
        interrupted: the 'wt done' that queued it is gone. pull-request: opened by 'wt done' (on_done: pr, \
        pr-auto) and followed by wt until it merges; reason says its checks, review and round.
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

      enum CodingKeys: String, CodingKey {
        case project, bead, worker, branch, phase, reason, pid, host
        case queuedAt = "queued_at"
        case updatedAt = "updated_at"
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
      }
    }

    func run() async throws {
      let context = try await Context(options)
      let manifest = context.manifest
      async let hosts = manifest.remoteProjects.isEmpty
        ? ([], [], []) : await Fleet.connect(manifest, environment: options.environment).rows(["queue", "--json"], key: ListKey.entries, marking: \Row.host)
      let format = ISO8601DateFormatter()
      let rows = try MergeQueue(world: context.world).entries().map {
        Row(
          project: $0.project, bead: $0.bead, worker: $0.worker, branch: $0.branch, phase: $0.phase.rawValue,
          reason: $0.reason, pid: $0.pid, queuedAt: format.string(from: $0.queuedAt),
          updatedAt: format.string(from: $0.updatedAt))
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
        (row.host.map { "\($0): " } ?? "") + "\(row.worker)  \(row.phase)  \(row.branch)  since \(row.updatedAt)"
          + (row.reason.map { "\n    \($0)" } ?? "")
      }
    }
  }
}
