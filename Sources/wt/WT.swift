import ArgumentParser

@main
struct WT: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "wt",
    abstract: "Run one coding agent per bead, each in its own git worktree and tmux session, declared in wt.yaml.",
    discussion: """
      Exit codes: 0 ok, 1 error, 2 'wt diff --detailed-exitcode' found changes, 130 interrupted.
      """,
    version: "0.1.0",
    subcommands: [
      Validate.self, Diff.self, Apply.self, Auto.self, Status.self, Ready.self, New.self, Done.self, Queue.self, Abandon.self,
      Signal.self, Seance.self, Handoff.self, Prime.self, Attach.self, ProjectCommand.self, Watch.self, Hub.self,
    ]
  )
}
