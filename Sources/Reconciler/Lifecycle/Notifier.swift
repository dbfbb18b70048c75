import Foundation
import Manifest

/// Tells the person about a transition, from one place: whoever caused it
/// (a hook, wt itself, the watch's inference) calls `notify` with the
/// transition `StatusSignal.record` returned, and `settings.notify` of the
/// manifest that declared the worker runs once, without waiting for it.
public struct Notifier: Sendable {
  public var environment: [String: String]

  public init(environment: [String: String]) { self.environment = environment }

  /// `file` is a manifest the person named (`wt signal -f FILE`): its
  /// notify runs instead of that of the manifest that declared the worker.
  public func notify(_ transition: StatusSignal.Transition, file named: String? = nil) {
    guard transition.shouldNotify else { return }
    let r = transition.record
    let byPerson = named != nil || (r.manifest != nil ? r.manifestFromRepository != true : environment["WT_CONFIG_ORIGIN"] != "repository")
    let loader = named != nil ? ManifestLoader(environment: environment) : loader(for: r)
    guard let file = named ?? r.manifest ?? environment["WT_CONFIG"].flatMap({ $0.isEmpty ? nil : $0 }),
      let manifest = loader.load(file: file, named: byPerson).manifest,
      !manifest.settings.notify.isEmpty
    else { return }
    // A repository's own manifest runs its notify only once trusted.
    if manifest.foreign != nil {
      let store = TrustStore(directory: StateStore.directory(environment: environment))
      guard (try? store.marking(manifest).foreign?.needsTrust) == false else { return }
    }
    run(
      manifest, name: r.name, status: transition.current.state, message: transition.current.message, bead: r.bead,
      project: r.project, account: r.account, until: transition.current.state == .limited ? r.limit?.until : nil)
  }

  /// The loader for a worker's manifest, as the share it was read as: a
  /// host's copy read as the person's whole file would run the person's
  /// notify on the host.
  func loader(for record: WorkerRecord) -> ManifestLoader {
    var env = environment
    if let host = record.manifestHost, !host.isEmpty, record.manifest != nil { env["WT_HOST"] = host }
    return ManifestLoader(environment: env)
  }

  /// A worker on a host that entered a status worth telling, as this
  /// machine's `notify` tells it (the host runs none of its own).
  public func notify(_ row: WorkerStatus, manifest: Manifest) {
    guard row.status.notifies, !manifest.settings.notify.isEmpty, manifest.foreign?.needsTrust != true else { return }
    // The row is the host's word, and `notify` runs here: only a worker of
    // one of that host's projects, named as wt names it, reaches it (a
    // bead id bd never makes could be an option or hold a line break).
    guard BeadID.isValid(row.bead), row.name == WorkerNaming.name(project: row.project, bead: row.bead),
      manifest.remoteProjects.contains(where: { $0.name == row.project && $0.host == row.host })
    else { return }
    let name = row.host.map { "\($0):\(row.name)" } ?? row.name
    run(
      manifest, name: name, status: row.status, message: row.message, bead: row.bead, project: row.project,
      account: row.account, until: row.until)
  }

  /// `until`: a limited worker's time to go on, ISO 8601 in `{{worker.until}}`
  /// (empty when not limited or unknown); `account` its account's name.
  func run(
    _ manifest: Manifest, name: String, status: WorkerState, message: String?, bead: String, project: String,
    account: String? = nil, until: Date? = nil
  ) {
    // The message may quote bead or agent text: one line, no control bytes.
    let values = [
      "worker.name": name, "worker.status": status.rawValue, "worker.message": PromptText.argument(message ?? ""),
      "bead.id": bead, "project.name": project, "account.name": PromptText.argument(account ?? ""),
      "worker.until": until.map { $0.formatted(.iso8601) } ?? "",
    ]
    // Not `ProcessRunner`: notify is fire-and-forget. wt neither waits for
    // the person's command nor reads what it prints (a slow notifier must
    // not hold up a pass or the watch), so there is no output to drain
    // and no deadline to keep; the child outlives nothing wt needs.
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = manifest.settings.notify.map { $0.render(values) }
    p.standardInput = FileHandle.nullDevice
    p.standardOutput = FileHandle.nullDevice
    p.standardError = FileHandle.nullDevice
    try? p.run()
  }
}
