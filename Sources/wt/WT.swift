import ArgumentParser
import Foundation
import Reconciler

@main
struct WT: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "wt",
    abstract: "Run one coding agent per bead, each in its own git worktree and tmux session, declared in wt.yaml.",
    discussion: discussion(
      """
      Exit codes: 0 ok, 1 error, 2 'wt diff --detailed-exitcode' found changes, 64 usage error, 130 interrupted (Ctrl-C), 143 terminated (SIGTERM), 129 hung up (SIGHUP).
      """,
      example: "$ wt diff && wt apply     # see the plan, then make it so"),
    version: Version.description,
    // Grouped as a person meets them: plan and apply from the manifest,
    // look after the workers, what an agent runs inside its worker, and
    // the manifest's own projects, agents and hosts.
    groupedSubcommands: [
      CommandGroup(name: "Plan & apply", subcommands: [Diff.self, Apply.self, Auto.self, Ready.self]),
      CommandGroup(
        name: "Workers",
        subcommands: [
          Status.self, Watch.self, Hub.self, Attach.self, New.self, Resume.self, Hold.self, Queue.self, Abandon.self,
          Forget.self, Seance.self, Usage.self,
        ]),
      CommandGroup(name: "Inside a worker", subcommands: [Done.self, Signal.self, Handoff.self, Prime.self, SandboxExec.self]),
      CommandGroup(
        name: "Manifest & hosts", subcommands: [Validate.self, ProjectCommand.self, Agents.self, Trust.self, HostCommand.self]),
    ]
  )

  /// Claude Code hooks run `wt signal EVENT` several times a turn and a
  /// status line runs `wt status --attention` every few seconds. Those
  /// exact shapes skip the argument parser, whose reflection over every
  /// command costs more than the work itself; any other shape (options,
  /// a message, help, a typo) goes through it as usual.
  static func main() async {
    // A child that exits before reading what wt writes to it (ssh refused
    // by a host that is down, before it takes the manifest) must be an
    // error of that call, not a signal that ends wt.
    signal(SIGPIPE, SIG_IGN)
    Interrupts.lineBufferStandardOutput()
    let args = Array(CommandLine.arguments.dropFirst())
    // Commands parsed below take it through `ManifestOptions.environment`.
    let environment = WTEnvironment.process
    if let status = forwardFromSandbox(args, environment: environment) { Foundation.exit(status) }
    do {
      // The same enum the parser reads: a name it does not know goes
      // through the parser, which refuses it as a usage error.
      if args.count == 2 && args[0] == "signal", let event = SignalEvent(rawValue: args[1]) {
        return try Signal.perform(event: event, message: nil, worker: nil, environment: environment)
      }
      if args == ["status", "--attention"] { return try Status.printAttention(environment: environment) }
    } catch {
      exit(withError: error)
    }
    do {
      var command = try parseAsRoot(nil)
      if var command = command as? AsyncParsableCommand { try await command.run() } else { try command.run() }
    } catch {
      exit(withError: error)
    }
  }

  /// One error prefix, `wt: `, also for the argument parser's own errors
  /// (which say `Error: `); help and version still go to stdout. Usage
  /// errors exit 64 (EX_USAGE), as the README says.
  static func exit(withError error: Error) -> Never {
    let code = exitCode(for: error)
    // Foundation's own errors print as a dictionary dump (`NSFilePath=…`);
    // a person gets the sentence `describe` makes of them.
    let foundation = [NSCocoaErrorDomain, NSPOSIXErrorDomain].contains((error as NSError).domain)
    let message = foundation ? describe(error) : fullMessage(for: error)
    if code == .success {
      if !message.isEmpty { print(message) }
    } else if !message.isEmpty {
      let text = message.hasPrefix("Error: ") ? String(message.dropFirst(7)) : message
      Terminal.error("wt: " + text)
    }
    Foundation.exit(code.rawValue)
  }
}
