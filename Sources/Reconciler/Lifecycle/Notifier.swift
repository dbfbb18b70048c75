import Foundation
import Manifest

/// Tells the person about a transition, from one place: whoever caused it
/// (a hook, wt itself, the watch's inference) calls `notify` with the
/// transition `StatusSignal.record` returned, and `settings.notify` of the
/// manifest that declared the worker runs once, without waiting for it.
public struct Notifier: Sendable {
  public var environment: [String: String]

  public init(environment: [String: String]) { self.environment = environment }

  public func notify(_ transition: StatusSignal.Transition) {
    guard transition.shouldNotify else { return }
    let r = transition.record
    let named = r.manifest != nil ? r.manifestFromRepository != true : environment["WT_CONFIG_ORIGIN"] != "repository"
    guard let file = r.manifest ?? environment["WT_CONFIG"].flatMap({ $0.isEmpty ? nil : $0 }),
      let manifest = ManifestLoader(environment: environment).load(file: file, named: named).manifest,
      !manifest.settings.notify.isEmpty
    else { return }
    // A repository's own manifest runs its notify only once trusted.
    if manifest.foreign != nil {
      let store = TrustStore(directory: StateStore.directory(environment: environment))
      guard (try? store.marking(manifest).foreign?.needsTrust) == false else { return }
    }
    // The message may quote bead or agent text: one line, no control bytes.
    let values = [
      "worker.name": r.name, "worker.status": transition.current.state.rawValue,
      "worker.message": PromptText.argument(transition.current.message ?? ""),
      "bead.id": r.bead, "project.name": r.project,
    ]
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = manifest.settings.notify.map { $0.render(values) }
    p.standardInput = FileHandle.nullDevice
    p.standardOutput = FileHandle.nullDevice
    p.standardError = FileHandle.nullDevice
    try? p.run()
  }
}
