import ArgumentParser
import Foundation
import Reconciler

extension WT {
  struct Resume: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "resume",
      abstract: "Resume a worker stopped on a usage limit now: before its reset, when held, or after billing was fixed.",
      discussion: discussion(
        "Sends the follow-up \"Continue where you stopped…\" once, verified, into the worker's session (a blocking limit dialog is dismissed first), lifts 'wt hold' and starts its tries again. Exit 1 when the worker has no session or is not stopped.",
        example: "$ wt resume api-7kq"))

    @OptionGroup var options: ManifestOptions
    @Argument(help: "The bead id or worker name.") var name: String

    func run() async throws {
      try await WT.controlLimit(of: name, options) { try await $0.resume($1).lines() }
    }
  }

  struct Hold: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "hold",
      abstract: "Keep the clock from resuming a worker after a usage limit, until 'wt resume'.",
      discussion: discussion(
        "The worker keeps its session; it is only not sent the follow-up when its limit resets. Exit 1 when no such worker is recorded.",
        example: "$ wt hold api-7kq"))

    @OptionGroup var options: ManifestOptions
    @Argument(help: "The bead id or worker name.") var name: String

    func run() async throws {
      try await WT.controlLimit(of: name, options) { try $0.hold($1) }
    }
  }

  /// `wt resume` and `wt hold`: on the worker's host when it runs on one,
  /// else here, printing what was done.
  static func controlLimit(
    of name: String, _ options: ManifestOptions, _ act: (LimitControl, WorkerRef) async throws -> [String]
  ) async throws {
    let context = try await Context(options)
    try await context.forwardIfRemote(worker: name)
    try await acting {
      let worker = try await context.locate(name)
      return try await act(LimitControl(manifest: context.manifest, world: context.world), worker)
    }
  }
}
