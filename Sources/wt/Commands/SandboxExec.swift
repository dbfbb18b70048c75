import ArgumentParser
import Foundation
import Reconciler

extension WT {
  /// The pane's process of a sandboxed worker (see `SandboxSupervisor`);
  /// wt writes this command line itself, a person never types it.
  struct SandboxExec: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "sandbox-exec", abstract: "Run a worker's sandbox and answer its socket (wt starts this).",
      shouldDisplay: false)

    @Option(help: "The worker.") var worker: String
    @Option(help: "The socket the sandbox reaches wt through.") var socket: String
    @Option(help: "The worker's worktree.") var directory: String
    @Option(help: "A variable (NAME or PREFIX*) the sandbox keeps.") var keep: [String] = []
    @Option(help: "Where podman writes the container's id (removed when this ends).") var containerIdFile: String?
    @Option(help: "The person's HOME, for podman itself.") var runtimeHome: String?
    @Argument(parsing: .captureForPassthrough, help: "The sandbox's command.") var command: [String]

    func run() throws {
      let argv = command.first == "--" ? Array(command.dropFirst()) : command
      guard !argv.isEmpty else { throw ValidationError("no command after --") }
      let supervisor = SandboxSupervisor(
        worker: worker, socket: socket, keep: keep, wt: World.currentExecutablePath, directory: directory, command: argv,
        container: containerIdFile.map { SandboxContainer(idFile: $0, home: runtimeHome) })
      let status = try supervisor.run(environment: WTEnvironment.process.variables)
      throw ExitCode(status)
    }
  }

  /// Inside a sandbox (`$WT_SANDBOX_SOCKET`), `wt signal`, `wt prime` and
  /// `wt done` are answered by the wt outside: this wt sends the words and
  /// prints the reply. Nil when this is not such a call.
  static func forwardFromSandbox(_ args: [String], environment: WTEnvironment) -> Int32? {
    guard let socket = environment["WT_SANDBOX_SOCKET"], let verb = args.first, SandboxRequest.verbs.contains(verb) else {
      return nil
    }
    // A hook's JSON on stdin, as `wt signal` reads it.
    let input = verb == "signal" || verb == "handoff" ? Signal.hookText() : nil
    do {
      let reply = try SandboxChannel.send(SandboxRequest(arguments: args, input: input), to: socket)
      FileHandle.standardOutput.write(Data(reply.stdout.utf8))
      FileHandle.standardError.write(Data(reply.stderr.utf8))
      return reply.status
    } catch {
      Terminal.error("wt: \(error)")
      return 1
    }
  }
}
