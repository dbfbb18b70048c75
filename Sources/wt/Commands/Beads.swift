import ArgumentParser
import Foundation
import Manifest
import Presentation
import Reconciler

extension WT {
  struct Ready: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "ready",
      abstract: "Selected ready beads per project, in the order apply would start them, and which wait and why.",
      discussion: discussion(example: "$ wt ready api --json | jq -r '.beads[] | select(.starts | not) | .reason'"))

    @OptionGroup var options: ManifestOptions
    @Argument(help: "Only this project.") var project: String?
    @OptionGroup var output: OutputOptions

    struct Row: Codable, Sendable {
      var project: String
      var bead: String
      var title: String
      var priority: Int
      var type: String
      var labels: [String]
      var starts: Bool
      var reason: String?
      var needsGrooming: Bool
      /// The host the project runs on; nil for this machine.
      var host: String?

      enum CodingKeys: String, CodingKey {
        case project, bead, title, priority, type, labels, starts, reason, host
        case needsGrooming = "needs_grooming"
      }

      /// `reason` is null for a bead that starts now, never missing.
      func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(project, forKey: .project)
        try c.encode(bead, forKey: .bead)
        try c.encode(title, forKey: .title)
        try c.encode(priority, forKey: .priority)
        try c.encode(type, forKey: .type)
        try c.encode(labels, forKey: .labels)
        try c.encode(starts, forKey: .starts)
        try c.encode(reason, forKey: .reason)
        try c.encode(needsGrooming, forKey: .needsGrooming)
        try c.encodeIfPresent(host, forKey: .host)
      }
    }

    func run() async throws {
      let context = try await Context(glance: options)
      let manifest = context.manifest
      let projects = project.map { [$0] } ?? []
      try await context.forwardIfRemote(worker: nil, project: project)
      if let project, manifest.project(named: project) == nil {
        throw Failure("no project '\(project)' in \(manifest.file); projects: \(manifest.projects.map(\.name).joined(separator: ", "))")
      }
      async let hosts = manifest.remoteProjects.isEmpty || project != nil
        ? ([], [], []) : await Fleet.connect(manifest, environment: options.environment).rows(["ready", "--json"], key: ListKey.beads, marking: \Row.host)
      let observed = try await context.world.observe(context.manifest, projects: projects)
      let plan = context.world.plan(context.manifest, observed, options: PlanOptions(projects: projects))
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
        if let error = observed.projects[p.name]?.error { Terminal.error("wt: project \(p.name): \(error)") }
      }
      let (remote, hostProblems, _) = await hosts
      let problems = context.problems + hostProblems
      try Fleet.printList(ListKey.beads, rows + remote, problems: problems, json: output.isJSON, empty: "No selected ready beads.") { r in
        let flag = r.needsGrooming ? "  (needs grooming: no description or acceptance criteria)" : ""
        let when = r.starts ? "starts now" : "waits: \(r.reason ?? "")"
        let host = r.host.map { " on \($0)" } ?? ""
        return "\(r.project)/\(TerminalText.escape(r.bead))\(host)  P\(r.priority) \(TerminalText.escape(r.type))  \"\(TerminalText.escape(r.title))\"  \(when)\(flag)"
      }
    }
  }

  struct Signal: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "signal",
      abstract: "Record a status event for the current worker (what hooks call).",
      discussion: discussion(
        "EVENT is a hook's event or a state someone declares (the values below). A hook's JSON may come on stdin. -f names the manifest whose notify tells a person (default: the one that declared the worker).",
        example: "$ wt signal needs-input 'Invoice totals: EUR or USD?'"))

    @Argument(help: "The event.") var event: SignalEvent
    @Argument(help: "A message, e.g. why a person is needed.") var message: String?
    @Option(help: "The worker (default: $WT_WORKER, else the worktree you are in).") var worker: String?
    /// The manifest is read only for its `notify`, when the event is one
    /// worth telling.
    @OptionGroup var options: ManifestOptions

    func run() async throws {
      try Self.perform(
        event: event, message: message, worker: worker, environment: .process,
        file: options.file == nil ? nil : options.locate())
    }

    /// The command itself, also run without the argument parser by
    /// `WT.main` for the exact shape hooks use.
    static func perform(event: SignalEvent, message: String?, worker: String?, environment: WTEnvironment, file: String? = nil) throws {
      let signal = StatusSignal(store: StateStore(directory: environment.stateDirectory))
      let name = try worker ?? environment.worker
        ?? (try signal.worker(containing: FileManager.default.currentDirectoryPath))
      guard let name else {
        Terminal.error("wt: not inside a worker's worktree and $WT_WORKER is not set; pass --worker")
        throw ExitCode.failure
      }
      do {
        let hook = Self.hookInput()
        let transition = try signal.record(
          worker: name, event: StatusSignal.event(event, message: message, hook: hook),
          sessionID: event == .hook(.sessionStart) ? hook["session_id"] as? String : nil)
        Notifier(environment: environment.variables).notify(transition, file: file)
      } catch let error as LifecycleError {
        Terminal.error("wt: \(error.message)")
        throw ExitCode.failure
      }
    }

    /// A hook's JSON on stdin, when stdin is a pipe that has it: at most
    /// 1 MiB, read for at most half a second, so a writer that keeps the
    /// pipe open or floods it cannot hold the agent's hook.
    static func hookInput() -> [String: Any] {
      guard let text = hookText() else { return [:] }
      return (try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]) ?? [:]
    }

    /// stdin as `hookInput` reads it, as text (a sandbox passes it on).
    static func hookText() -> String? {
      guard !Terminal.stdinIsTerminal else { return nil }
      let input = BoundedInput.read(fd: STDIN_FILENO, timeoutMilliseconds: 500, limit: 1 << 20)
      return input.bytes.isEmpty ? nil : String(decoding: input.bytes, as: UTF8.self)
    }
  }

  struct Handoff: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "handoff",
      abstract: "Save a hand-over note for the current bead (from -m or stdin); 'wt prime' shows it.",
      discussion: discussion(example: "$ wt handoff -m 'Parser done and tested; the CLI flags are next'"))

    @OptionGroup var options: ManifestOptions
    @Option(name: .shortAndLong, help: "The note.") var message: String?
    @Option(help: "The bead (default: the worker you are in).") var bead: String?

    func run() async throws {
      let context = try await Context(options)
      try await context.forwardIfRemote(worker: bead)
      let worker = try await context.locate(bead)
      let text = message ?? String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
      guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
        Terminal.error("wt: the note is empty; pass -m TEXT or pipe it in")
        throw ExitCode.failure
      }
      let path = try HandoffNotes(store: context.world.store).save(text, bead: worker.bead)
      context.world.store.record(.handoff(note: path), worker: worker.name)
      print("saved hand-over note for \(worker.bead): \(path)")
    }
  }

  struct Prime: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "prime",
      abstract: "Print the current bead and its latest hand-over note (the SessionStart hook runs this).",
      discussion: discussion(example: "$ wt prime --bead api-7kq     # what a new session of that worker reads"))

    @OptionGroup var options: ManifestOptions
    @Option(help: "The bead (default: the worker you are in).") var bead: String?

    func run() async throws {
      let context = try await Context(options)
      try await context.forwardIfRemote(worker: bead)
      let worker = try await context.locate(bead)
      guard let found = try await context.world.tracker.show(worker.bead, in: worker.project.path) else {
        Terminal.error("wt: bead \(worker.bead) not found in \(worker.project.path)")
        throw ExitCode.failure
      }
      Terminal.line(primeText(bead: found, note: HandoffNotes(store: context.world.store).latest(bead: worker.bead)), terminator: "")
    }
  }

  struct Seance: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "seance",
      abstract: "List a bead's past sessions; --transcript prints the newest, --resume reopens it in a worker.",
      discussion: discussion(example: "$ wt seance api-7kq --transcript | less"))

    @OptionGroup var options: ManifestOptions
    @Argument(help: "The bead id.") var bead: String
    @Flag(help: "Print the newest session's transcript.") var transcript = false
    @Flag(help: "Reopen the newest session in a worker (with the agent's 'resume'; a fresh session when there is none).")
    var resume = false
    @Flag(help: "With --resume: start even when the project's workers or max_workers are all running.") var force = false
    @OptionGroup var output: OutputOptions

    func run() async throws {
      let context = try await Context(options)
      try await context.forwardIfRemote(worker: bead)
      let history = History(store: context.world.store)
      let sessions = history.sessions(bead: bead)
      // A host's worker that is gone has no row there, only history.
      if sessions.isEmpty, let host = await Forward.hostWithSessions(of: bead, context: context) {
        try await Forward.exec(on: host, context: context)
      }
      if let problem = history.unreadable { Terminal.error("wt: \(problem)") }
      let damaged = history.damagedLines
      if damaged > 0 {
        Terminal.error("wt: skipped \(damaged) damaged line\(damaged == 1 ? "" : "s") of \(context.world.store.directory)/events.jsonl")
      }
      if resume {
        let worker = try await context.locate(bead)
        // Nothing to resume (no session id, or an agent without 'resume'):
        // a fresh session, prompted with the bead.
        let profile = context.manifest.agents[worker.project.agent]
        let session = sessions.first.map(\.session).flatMap {
          SessionID.isValid($0) && profile?.resume.isEmpty == false ? $0 : nil
        }
        return try await acting {
          try await StartOne(manifest: context.manifest, world: context.world)
            .run(bead: try BeadID(checking: worker.bead), project: worker.project.name, force: force, resume: session).lines()
        }
      }
      guard let newest = sessions.first else {
        let hosts = Set(context.manifest.remoteProjects.map(\.host)).sorted()
        Terminal.error("wt: no recorded sessions of \(bead)" + (hosts.isEmpty || bead.contains("/") ? "" : " here or on \(hosts.joined(separator: ", "))"))
        throw ExitCode.failure
      }
      if transcript {
        // Claude Code writes under its config folder: CLAUDE_CONFIG_DIR or
        // its HOME's .claude, which a profile may set.
        let worker = try? await context.locate(bead)
        let profileEnv = worker.flatMap { context.manifest.agents[$0.project.agent]?.env } ?? [:]
        let env = context.environment.variables.merging(["HOME": context.environment.home]) { own, _ in own }
          .merging(profileEnv) { _, profile in profile }
        let config = ClaudeFiles(environment: env).configDirectory ?? "\(context.environment.home)/.claude"
        guard let path = Transcript.path(session: newest.session, worktree: newest.worktree, configDirectory: config) else {
          Terminal.error("wt: no transcript of session \(newest.session) under \(config)/projects")
          throw ExitCode.failure
        }
        return Terminal.line(Transcript.render(try String(contentsOfFile: path, encoding: .utf8)), terminator: "")
      }
      if output.isJSON { return try printJSON(ListKey.sessions, sessions) }
      for s in sessions {
        Terminal.line("\(s.started)  \(s.worker)  session \(s.session.isEmpty ? "(no id)" : s.session)  \(s.end.map { "ended \($0) at \(s.ended ?? "?")" } ?? "running")")
      }
    }
  }
}
