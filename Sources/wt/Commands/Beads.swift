import ArgumentParser
import Foundation
import Manifest
import Reconciler

extension WT {
  struct Ready: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "ready",
      abstract: "Selected ready beads per project, in the order apply would start them, and which wait and why.")

    @OptionGroup var options: ManifestOptions
    @Argument(help: "Only this project.") var project: String?
    @Flag(help: "Print JSON.") var json = false

    struct Row: Encodable {
      var project: String
      var bead: String
      var title: String
      var priority: Int
      var type: String
      var labels: [String]
      var starts: Bool
      var reason: String?
      var needsGrooming: Bool

      enum CodingKeys: String, CodingKey {
        case project, bead, title, priority, type, labels, starts, reason
        case needsGrooming = "needs_grooming"
      }
    }

    func run() async throws {
      let context = try Context(options)
      let projects = project.map { [$0] } ?? []
      if let project, context.manifest.project(named: project) == nil {
        throw ValidationError("no project '\(project)' in \(context.manifest.file)")
      }
      let observed = try await context.world.observe(context.manifest, projects: projects)
      let plan = Reconciler.plan(context.manifest, observed, options: PlanOptions(projects: projects))
      var rows: [Row] = []
      for p in context.manifest.projects where projects.isEmpty || projects.contains(p.name) {
        let beads = Dictionary((observed.projects[p.name]?.ready ?? []).map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        func row(_ id: String, starts: Bool, reason: String?) -> Row? {
          guard let b = beads[id] else { return nil }
          let thin = (b.description ?? "").isEmpty && (b.acceptanceCriteria ?? "").isEmpty
          return Row(project: p.name, bead: b.id, title: b.title, priority: b.priority, type: b.type, labels: b.labels ?? [],
                     starts: starts, reason: reason, needsGrooming: thin)
        }
        rows += plan.changes.filter { $0.project == p.name && $0.step == .start(adopt: false) }
          .compactMap { row($0.bead, starts: true, reason: nil) }
        rows += plan.waiting.filter { $0.project == p.name }.compactMap { row($0.bead, starts: false, reason: $0.reason) }
        if let error = observed.projects[p.name]?.error { Terminal.error("\(p.name): \(error)") }
      }
      if json { return try printJSON(rows) }
      if rows.isEmpty { return print("No selected ready beads.") }
      for r in rows {
        let flag = r.needsGrooming ? "  (needs grooming: no description or acceptance criteria)" : ""
        let when = r.starts ? "starts now" : "waits: \(r.reason ?? "")"
        print("\(r.project)/\(r.bead)  P\(r.priority) \(r.type)  \"\(r.title)\"  \(when)\(flag)")
      }
    }
  }

  struct Signal: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "signal",
      abstract: "Record a status event for the current worker (what hooks call).",
      discussion: "Events: \(StatusSignal.events.joined(separator: ", ")). A hook's JSON may come on stdin.")

    @Argument(help: "The event.") var event: String
    @Argument(help: "A message, e.g. why a person is needed.") var message: String?
    @Option(help: "The worker (default: $WT_WORKER, else the worktree you are in).") var worker: String?

    func run() async throws { try Self.perform(event: event, message: message, worker: worker) }

    /// The command itself, also run without the argument parser by
    /// `WT.main` for the exact shape hooks use.
    static func perform(event: String, message: String?, worker: String?) throws {
      let env = ProcessInfo.processInfo.environment
      let signal = StatusSignal(store: StateStore(directory: StateStore.directory(environment: env)))
      let name = try worker ?? env["WT_WORKER"].flatMap { $0.isEmpty ? nil : $0 }
        ?? (try signal.worker(containing: FileManager.default.currentDirectoryPath))
      guard let name else {
        Terminal.error("wt signal: not inside a worker's worktree and $WT_WORKER is not set; pass --worker")
        throw ExitCode.failure
      }
      do {
        let change = try signal.record(worker: name, event: event, message: message, hook: Self.hookInput())
        if change.previous != change.status && StatusSignal.attention.contains(change.status) {
          Self.notify(worker: name, status: change.status, message: message, environment: env)
        }
      } catch let error as LifecycleError {
        Terminal.error("wt signal: \(error.message)")
        throw ExitCode.failure
      }
    }

    /// Runs the manifest's `notify` command (an argument array, fields
    /// filled in as plain text) without waiting for it: a person's
    /// notifier must never hold up the agent's hook.
    static func notify(worker: String, status: String, message: String?, environment: [String: String]) {
      guard let file = environment["WT_CONFIG"], let manifest = ManifestLoader().load(file: file).manifest,
        !manifest.settings.notify.isEmpty
      else { return }
      let values = ["worker.name": worker, "worker.status": status, "worker.message": message ?? ""]
      let argv = manifest.settings.notify.map { $0.render(values) }
      let p = Process()
      p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
      p.arguments = argv
      p.standardInput = FileHandle.nullDevice
      p.standardOutput = FileHandle.nullDevice
      p.standardError = FileHandle.nullDevice
      try? p.run()
    }

    /// A hook's JSON on stdin, when stdin is a pipe that has it. Never
    /// waits long: hooks must not slow the agent down.
    static func hookInput() -> [String: Any] {
      guard !Terminal.stdinIsTerminal else { return [:] }
      var poller = pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0)
      guard poll(&poller, 1, 200) > 0 else { return [:] }
      let data = FileHandle.standardInput.readData(ofLength: 1 << 20)
      return (try? JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:]
    }
  }

  struct Handoff: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "handoff",
      abstract: "Save a hand-over note for the current bead (from -m or stdin); 'wt prime' shows it.")

    @OptionGroup var options: ManifestOptions
    @Option(name: .shortAndLong, help: "The note.") var message: String?
    @Option(help: "The bead (default: the worker you are in).") var bead: String?

    func run() async throws {
      let context = try Context(options)
      let worker = try await context.locate(bead)
      let text = message ?? String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
      guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
        Terminal.error("wt handoff: the note is empty; pass -m TEXT or pipe it in")
        throw ExitCode.failure
      }
      let path = try HandoffNotes(store: context.world.store).save(text, bead: worker.bead)
      context.world.store.record("handoff", worker: worker.name, detail: ["note": path])
      print("saved hand-over note for \(worker.bead): \(path)")
    }
  }

  struct Prime: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "prime",
      abstract: "Print the current bead and its latest hand-over note (the SessionStart hook runs this).")

    @OptionGroup var options: ManifestOptions
    @Option(help: "The bead (default: the worker you are in).") var bead: String?

    func run() async throws {
      let context = try Context(options)
      let worker = try await context.locate(bead)
      guard let found = try await context.world.tracker.show(worker.bead, in: worker.project.path) else {
        Terminal.error("wt prime: bead \(worker.bead) not found in \(worker.project.path)")
        throw ExitCode.failure
      }
      print(primeText(bead: found, note: HandoffNotes(store: context.world.store).latest(bead: worker.bead)), terminator: "")
    }
  }

  struct Seance: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "seance",
      abstract: "List a bead's past sessions; --transcript prints the newest, --resume reopens it in a worker.")

    @OptionGroup var options: ManifestOptions
    @Argument(help: "The bead id.") var bead: String
    @Flag(help: "Print the newest session's transcript.") var transcript = false
    @Flag(help: "Reopen the newest session in a worker.") var resume = false
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
      let context = try Context(options)
      let sessions = History(store: context.world.store).sessions(bead: bead)
      guard let newest = sessions.first else {
        Terminal.error("wt seance: no recorded sessions of \(bead)")
        throw ExitCode.failure
      }
      if transcript {
        // Claude Code writes under its own HOME, which a profile may set.
        let worker = try? await context.locate(bead)
        let profileHome = worker.flatMap { context.manifest.agents[$0.project.agent]?.env["HOME"] }
        let home = profileHome ?? context.environment["HOME"] ?? NSHomeDirectory()
        guard let path = Transcript.path(session: newest.session, worktree: newest.worktree, home: home) else {
          Terminal.error("wt seance: no transcript of session \(newest.session) under \(home)/.claude/projects")
          throw ExitCode.failure
        }
        return print(Transcript.render(try String(contentsOfFile: path, encoding: .utf8)), terminator: "")
      }
      if resume {
        let worker = try await context.locate(bead)
        try context.world.store.update { state in
          var r = worker.record(in: state)
          r.sessionId = newest.session
          r.prompt = .delivered
          r.retained = nil
          state.workers[worker.name] = r
        }
        return try await acting {
          try await StartOne(manifest: context.manifest, world: context.world)
            .run(bead: bead, project: worker.project.name, force: false).lines()
        }
      }
      if json { return try printJSON(sessions) }
      for s in sessions {
        print("\(s.started)  \(s.worker)  session \(s.session.isEmpty ? "(no id)" : s.session)  \(s.end.map { "ended \($0) at \(s.ended ?? "?")" } ?? "running")")
      }
    }
  }
}
