import ArgumentParser
import Foundation
import Manifest
import Presentation
import Reconciler

extension WT {
  struct Hub: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "hub",
      abstract: "Open the dashboard: a tmux session on wt's server running 'wt watch', created once and reused.",
      discussion: discussion(
        "Enter on a worker switches this client to it; the hub keeps running. Back: prefix + H (bound on wt's own tmux server when H is free there) or 'wt hub'.",
        example: "$ wt hub --no-attach     # e.g. in a login script: make sure it runs"))

    static let session = "wt-hub"

    /// `wt watch` on the manifest the hub was opened with; `WT_HUB` (in the
    /// session's environment) makes its `q` detach instead of ending it.
    static func command(_ context: Context) -> [String] {
      [context.world.wtExecutable, "watch", "-f", context.manifest.file]
    }

    @OptionGroup var options: ManifestOptions
    @Flag(help: "Only make sure the hub runs.") var noAttach = false

    func run() async throws {
      let context = try await Context(glance: options)
      let tmux = context.world.tmux
      let panes = try await tmux.panes()
      if let hub = panes.first(where: { $0.session == Self.session && $0.hub }), hub.dead {
        // Its watch ended (a crash, or a 'q' outside tmux): start a new one
        // in the same pane rather than switching to a dead screen.
        try await tmux.respawn(pane: hub.paneID, directory: FileManager.default.currentDirectoryPath, command: Self.command(context))
        print("restarted the hub's dashboard in session \(Self.session)")
      } else if !panes.contains(where: { $0.session == Self.session && $0.hub }) {
        if panes.contains(where: { $0.session == Self.session }) {
          Terminal.error("wt: a session named \(Self.session) exists but is not wt's hub; rename or close it")
          throw ExitCode.failure
        }
        let wt = context.world.wtExecutable
        var env = context.world.workerEnvironment
        env["WT_HUB"] = "1"
        // The session starts with the environment of whichever wt started
        // wt's tmux server: the person's NO_COLOR now is passed on (empty,
        // which means colour, when unset).
        env["NO_COLOR"] = context.environment["NO_COLOR"] ?? ""
        try await tmux.newSession(
          name: Self.session, directory: FileManager.default.currentDirectoryPath, environment: env,
          command: Self.command(context),
          options: [
            "@wt-hub": "1", "status-interval": "5",
            // A count of workers needing a person, in the hub's status line.
            "status-right": "#(\(ClaudeHooks.shellQuoted(wt)) status --attention) %H:%M",
          ])
        print("started the hub: session \(Self.session)")
      }
      // On wt's own server, prefix + H comes back here from any worker.
      _ = try? await tmux.bindHubKey(to: Self.session)
      if noAttach { return }
      // A dead hub cannot be reused: a respawn above failed if it is still dead.
      try replaceProcess(with: tmux.clientArguments(for: Self.session, client: context.environment.tmuxClient))
    }
  }
}
