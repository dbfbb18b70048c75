import ArgumentParser
import Foundation
import Manifest
import Presentation
import Reconciler

extension WT {
  struct Watch: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "watch",
      abstract: "A live table of every worker; Enter switches to one, d previews 'wt diff', q quits.",
      discussion: discussion(
        """
        Keys: arrows or j/k move, Enter switches this tmux client to the worker, d shows the plan, r refreshes, q quits. \
        Colours follow NO_COLOR. Without a terminal (output to a pipe or a file, or no keyboard) it prints one frame, \
        as --once does.
        """,
        example: "$ wt watch --interval 30"))

    @OptionGroup var options: ManifestOptions
    /// Changes (a hook's signal, a worker starting or ending) redraw at
    /// once; the steady refresh only catches what nothing reports, so it
    /// can be slow and keep an idle dashboard nearly free.
    @Option(help: "Seconds between full refreshes when nothing changes (0.5 to 86400).", transform: intervalSeconds)
    var interval: Double = 10
    @Flag(help: "Print one frame and exit (for scripts and tests).") var once = false

    func run() async throws {
      var context = try await Context(glance: options)
      let hosts = HostRows(manifest: context.manifest, environment: context.environment)
      // In the hub, q detaches (the dashboard keeps running), so the keys
      // line says so.
      let inHub = context.environment["WT_HUB"] == "1" && !(context.environment["TMUX"] ?? "").isEmpty
      // Only a person at a terminal gets the live view: with output to a
      // pipe or a file, or no keyboard to read, wt watch prints one plain
      // frame, as --once does, instead of screen codes and a loop no key
      // can end.
      if once || !Terminal.stdoutIsTerminal || !Terminal.stdinIsTerminal {
        async let remote: Void = hosts.refresh()
        let observed = try await context.world.observeRecordingTransitions(context.manifest)
        let rows = try await context.world.status(context.manifest, observed: observed)
        await remote
        let (remoteRows, hostProblems, _) = hosts.snapshot
        let problems = context.problems + hostProblems
        return print(
          WatchScreen.frame(
            rows + remoteRows, width: Terminal.width, height: 50, selected: nil, color: false, footer: nil, problems: problems,
            inHub: inHub))
      }
      if !context.manifest.remoteProjects.isEmpty { hosts.start(every: interval) }
      var hostsVersion = 0
      // NO_COLOR (https://no-color.org) drops the status colours; the
      // screen is still cleared and redrawn.
      let color = Terminal.useColor
      let terminal = RawTerminal()
      terminal.enter()
      defer { terminal.leave() }
      signal(SIGWINCH, SIG_IGN)
      var selected = 0
      var rows: [WorkerStatus] = []
      var localRows: [WorkerStatus] = []
      var problems: [String] = []
      var footer: String?
      var look = Look()
      var eventsSize: UInt64 = .max
      var width = Terminal.width
      var manifestStamp = ChangeWatcher.modified(context.manifest.file)
      func screen() -> String {
        WatchScreen.frame(
          rows, width: width, height: Terminal.height, selected: selected, color: color, clear: true, footer: footer,
          problems: problems, inHub: inHub)
      }
      while true {
        // wt.yaml edited (a project added, notify changed): read it again,
        // keeping the last good one when the edit is bad.
        let stamp = ChangeWatcher.modified(context.manifest.file)
        if stamp != manifestStamp {
          manifestStamp = stamp
          if let reloaded = try? await ManifestOptions.reload(options) {
            context = reloaded
            hosts.use(reloaded.manifest)
            if !reloaded.manifest.remoteProjects.isEmpty { hosts.start(every: interval) }
            look.forgetBeads()
            footer = "reloaded \(context.manifest.file)"
          } else {
            footer = "\(context.manifest.file) has errors or is not trusted; still showing the last good version ('wt validate' says why)"
          }
          eventsSize = .max
        }
        let size = ChangeWatcher.size(context.world.store.directory + "/events.jsonl")
        let resized = Terminal.width != width
        let remote = hosts.snapshot
        if size != eventsSize || look.isDue(every: interval) || resized || remote.version != hostsVersion {
          // Something changed (a signal, a new worker, a host's answer) or
          // it is time: look again. Between times the table costs nothing.
          if size != eventsSize || look.isDue(every: interval) || resized { localRows = (try? await look.refresh(context)) ?? localRows }
          eventsSize = size
          width = Terminal.width
          hostsVersion = remote.version
          problems = context.problems + remote.problems
          rows = localRows + remote.rows
          selected = min(selected, max(0, rows.count - 1))
          terminal.write(screen())
        }
        for key in terminal.keys(timeout: .milliseconds(500)) {
          switch key {
          case .quit:
            // The hub's dashboard never ends by a key: 'q' leaves it
            // running for the next 'wt hub'.
            guard inHub else { return }
            footer = await detachClient(context.world.tmux)
          case .up: selected = max(0, selected - 1)
          case .down: selected = min(max(0, rows.count - 1), selected + 1)
          case .refresh: look.forgetBeads()
          case .enter:
            guard rows.indices.contains(selected) else { continue }
            footer = await open(
              rows[selected], tmux: context.world.tmux, insideTmux: context.world.tmux.isServer(ofClient: context.environment.tmuxClient), hosts: hosts, inHub: inHub)
          case .diff:
            footer = await planPreview(context)
          case .other: continue
          }
          terminal.write(screen())
        }
      }
    }

    /// What Enter does on a row: switch to a live worker's session, or say
    /// what can be done with one that has none.
    func open(_ row: WorkerStatus, tmux: Tmux, insideTmux: Bool, hosts: HostRows, inHub: Bool) async -> String {
      switch row.status {
      case .kept:
        return "\(row.name) has no session; its worktree \(row.worktree) was kept: \(row.message ?? ""). Look there, then 'wt abandon \(row.bead) --delete' once it holds nothing you want"
      case .orphaned:
        return "\(row.name) belongs to a project no longer in wt.yaml; 'wt forget \(row.name)' clears it (its worktree, if any, stays)"
      case .done:
        return "\(row.name) is done; its session ends with it"
      default:
        if let host = row.host {
          guard let link = hosts.link(host) else { return "host \(host) is not reached just now; try again in a moment" }
          return await openWindow(link, row: row, tmux: tmux, insideTmux: insideTmux)
        }
        return await switchClient(to: row.session, tmux: tmux, insideTmux: insideTmux, inHub: inHub)
      }
    }

    /// A worker on another host: a new window of this tmux client runs
    /// `ssh -t HOST … wt attach BEAD`, so the dashboard keeps running in
    /// its own window and detaching there comes back here.
    func openWindow(_ link: HostLink, row: WorkerStatus, tmux: Tmux, insideTmux: Bool) async -> String {
      guard insideTmux else {
        return "this terminal is not a client of wt's tmux server: run 'wt attach \(row.name)' in another terminal, or use 'wt hub'"
      }
      let opened = await tmux.newWindow(
        named: "\(link.host.name):\(row.bead)", running: link.interactiveArguments(["attach", row.name]))
      return opened
        ? "opened \(row.name) on \(link.host.name) in a new window; detach there (prefix + d) to come back"
        : "could not open a window for \(row.name) on \(link.host.name)"
    }

    func detachClient(_ tmux: Tmux) async -> String {
      _ = await tmux.detachClient()
      return "detached; 'wt hub' comes back here"
    }

    /// Moves this tmux client to the worker; the dashboard keeps running
    /// in its own session, so coming back finds it as it was. The way back
    /// named is one that works: prefix + H only where it is bound to the
    /// hub (`wt hub` binds it on wt's own server).
    func switchClient(to session: String, tmux server: Tmux, insideTmux: Bool, inHub: Bool) async -> String {
      guard insideTmux else {
        return "this terminal is not a client of wt's tmux server: run 'wt attach \(session)' in another terminal, or use 'wt hub'"
      }
      guard await server.switchClient(to: session) else { return "could not switch to \(session)" }
      guard inHub else { return "switched to \(session)" }
      let key = await server.hubKeyLeads(to: WT.Hub.session)
      return "switched to \(session); \(key ? "prefix + \(Tmux.hubKey) or " : "")'wt hub' brings you back"
    }

    func planPreview(_ context: Context) async -> String {
      guard let observed = try? await context.world.observe(context.manifest) else { return "could not observe" }
      let plan = context.world.plan(context.manifest, observed)
      return plan.rendered().split(separator: "\n").suffix(12).joined(separator: "\n")
    }
  }
}

/// What the watch knows between looks: bd and `git worktree list` are
/// asked at most every 60 s (or when a person presses r or wt.yaml
/// changes); tmux, the state file and each worker's git status on every
/// look.
struct Look {
  static let beadsEvery: Duration = .seconds(60)
  var projects: [String: Observed.ProjectWorld]?
  var projectsAt = ContinuousClock.now
  var lastLook = ContinuousClock.now - .seconds(3600)
  let changes = ChangesCache()

  func isDue(every interval: Double) -> Bool { ContinuousClock.now - lastLook >= .seconds(interval) }

  mutating func forgetBeads() {
    projects = nil
    lastLook = .now - .seconds(3600)
  }

  mutating func refresh(_ context: Context) async throws -> [WorkerStatus] {
    lastLook = .now
    if ContinuousClock.now - projectsAt >= Self.beadsEvery { projects = nil }
    let reuse = projects
    let observed = try await context.world.observeRecordingTransitions(context.manifest, reusing: reuse)
    if reuse == nil {
      projects = observed.projects
      projectsAt = .now
    }
    return try await context.world.status(context.manifest, observed: observed, changes: changes)
  }
}

/// One frame of `wt watch`, as text: a title line, the table, the footer.
enum WatchScreen {
  /// `clear` starts the frame by clearing the screen (the live view);
  /// `color` paints the statuses.
  static func frame(
    _ rows: [WorkerStatus], width: Int, height: Int, selected: Int?, color: Bool, clear: Bool = false, footer: String?,
    problems: [String] = [], inHub: Bool = false
  ) -> String {
    let attention = rows.filter(\.needsPerson).count
    let live = rows.filter(\.status.isLive).count
    let kept = rows.filter { $0.status == .kept }.count
    let orphaned = rows.filter { $0.status == .orphaned }.count
    var text = clear ? "\u{1B}[H\u{1B}[2J" : ""
    var counts = "wt watch — \(live) live worker\(live == 1 ? "" : "s"), \(attention) need\(attention == 1 ? "s" : "") you"
    if kept > 0 { counts += ", \(kept) kept" }
    if orphaned > 0 { counts += ", \(orphaned) orphaned" }
    let q = "q \(inHub ? "detach" : "quit")"
    // One line whatever the width: the key hints give way first (the way
    // out last), then the counts are cut; a wrapped header would push the
    // table down and off the screen.
    let hints = ["j/k move · Enter switch · d diff · \(q)", "Enter switch · \(q)", q].map { "   (\($0))" }
    let header = hints.map { counts + $0 }.first { DisplayWidth.of($0) <= width } ?? counts
    text += DisplayWidth.truncate(header, to: max(1, width)) + "\n\n"
    text += rows.isEmpty ? "  No workers. 'wt apply' starts them.\n" : StatusTable.render(rows, width: width, color: color, selected: selected)
    // A host that did not answer is said in the table's place, not hidden.
    for problem in problems { text += "\n  ! " + TerminalText.escape(problem) + "\n" }
    // The footer quotes rows (a kept worker's message), which a host wrote.
    if let footer { text += "\n" + TerminalText.escape(footer, keepNewlines: true) + "\n" }
    return text
  }
}
