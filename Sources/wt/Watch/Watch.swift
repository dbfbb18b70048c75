import ArgumentParser
import Foundation
import Manifest
import Reconciler

extension WT {
  struct Watch: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "watch",
      abstract: "A live table of every worker; Enter switches to one, d previews 'wt diff', q quits.",
      discussion: "Keys: arrows or j/k move, Enter switches this tmux client to the worker, d shows the plan, r refreshes, q quits.")

    @OptionGroup var options: ManifestOptions
    /// Changes (a hook's signal, a worker starting or ending) redraw at
    /// once; the steady refresh only catches what nothing reports, so it
    /// can be slow and keep an idle dashboard nearly free.
    @Option(help: "Seconds between full refreshes when nothing changes.") var interval: Double = 10
    @Flag(help: "Print one frame and exit (for scripts and tests).") var once = false

    func run() async throws {
      let context = try Context(options)
      if once {
        let rows = try await context.world.status(context.manifest)
        return print(WatchScreen.frame(rows, width: Terminal.width, height: 50, selected: nil, color: false, footer: nil))
      }
      let terminal = RawTerminal()
      terminal.enter()
      defer { terminal.leave() }
      signal(SIGWINCH, SIG_IGN)
      var selected = 0
      var rows: [WorkerStatus] = []
      var footer: String?
      var lastRefresh = ContinuousClock.now - .seconds(3600)
      var eventsSize: UInt64 = .max
      var width = Terminal.width
      while true {
        let size = ChangeWatcher.size(context.world.store.directory + "/events.jsonl")
        let resized = Terminal.width != width
        if size != eventsSize || ContinuousClock.now - lastRefresh >= .seconds(interval) || resized {
          // Something changed (a signal, a new worker) or it is time: look
          // again. Between times the table costs nothing.
          eventsSize = size
          width = Terminal.width
          lastRefresh = ContinuousClock.now
          rows = (try? await context.world.status(context.manifest)) ?? rows
          selected = min(selected, max(0, rows.count - 1))
          terminal.write(WatchScreen.frame(rows, width: width, height: Terminal.height, selected: selected, color: true, footer: footer))
        }
        for key in terminal.keys(timeout: .milliseconds(500)) {
          switch key {
          case .quit: return
          case .up: selected = max(0, selected - 1)
          case .down: selected = min(max(0, rows.count - 1), selected + 1)
          case .refresh: lastRefresh = .now - .seconds(3600)
          case .enter:
            guard rows.indices.contains(selected) else { continue }
            footer = switchClient(to: rows[selected].session, tmux: context.world.tmux.commandPrefix)
          case .diff:
            footer = await planPreview(context)
          case .other: continue
          }
          terminal.write(WatchScreen.frame(rows, width: width, height: Terminal.height, selected: selected, color: true, footer: footer))
        }
      }
    }

    /// Moves this tmux client to the worker; the dashboard keeps running
    /// in its own session, so coming back finds it as it was.
    func switchClient(to session: String, tmux: [String]) -> String {
      guard !(ProcessInfo.processInfo.environment["TMUX"] ?? "").isEmpty else {
        return "not inside tmux: run 'wt attach \(session)' in another terminal, or use 'wt hub'"
      }
      let p = Process()
      p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
      p.arguments = tmux + ["switch-client", "-t", "=\(session)"]
      try? p.run()
      p.waitUntilExit()
      return p.terminationStatus == 0 ? "switched to \(session); prefix + H or 'wt hub' brings you back" : "could not switch to \(session)"
    }

    func planPreview(_ context: Context) async -> String {
      guard let observed = try? await context.world.observe(context.manifest) else { return "could not observe" }
      let plan = Reconciler.plan(context.manifest, observed)
      return plan.rendered().split(separator: "\n").suffix(12).joined(separator: "\n")
    }
  }
}

/// One frame of `wt watch`, as text: a title line, the table, the footer.
enum WatchScreen {
  static func frame(_ rows: [WorkerStatus], width: Int, height: Int, selected: Int?, color: Bool, footer: String?) -> String {
    let attention = rows.filter { Attention.needsPerson($0.status) }.count
    var text = "\u{1B}[H\u{1B}[2J"
    if !color { text = "" }
    text += "wt watch — \(rows.count) worker\(rows.count == 1 ? "" : "s"), \(attention) need\(attention == 1 ? "s" : "") you"
    text += "   (j/k move · Enter switch · d diff · q quit)\n\n"
    text += rows.isEmpty ? "  No workers. 'wt apply' starts them.\n" : StatusTable.render(rows, width: width, color: color, selected: selected)
    if let footer { text += "\n" + footer + "\n" }
    return text
  }
}
