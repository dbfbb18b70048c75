/// A wt.yaml the person did not name: a repository's own file (its
/// `project:` block, or the whole file when wt runs inside the repository
/// with no manifest of the person's). Anyone who can push to the repository
/// may have written it, so the commands it would make wt run wait until the
/// person trusts this exact content (`wt trust PATH`); a changed file needs
/// trusting again.
public struct ForeignFile: Hashable, Sendable {
  /// Absolute path of the file.
  public var path: String
  /// The exact text read; trust is recorded for this text.
  public var content: String
  /// What it would make wt run or read, as a person reads it
  /// (`setup: npm ci`). Empty when it only sets harmless fields.
  public var commands: [String]
  /// Set from the person's trust records; false until then.
  public var trusted: Bool

  public init(path: String, content: String, commands: [String], trusted: Bool = false) {
    self.path = path
    self.content = content
    self.commands = commands
    self.trusted = trusted
  }

  /// Commands are there and the person has not trusted this content.
  public var needsTrust: Bool { !trusted && !commands.isEmpty }

  /// What to tell a person, and the one command that lifts it.
  public var refusal: String {
    "\(path) is not your own wt.yaml (a repository brought it, or someone else may write it) and asks wt to run: "
      + "\(commands.joined(separator: "; ")). "
      + "Read it, then run 'wt trust \(path)' to allow exactly this content."
  }
}

extension Project {
  /// What this project would run, as a person reads it: every setup and
  /// gate command, every copied file and every file `wt done` may delete
  /// with the worktree.
  public var commandsToRun: [String] {
    setup.map { "setup: \(Self.shellWords($0))" } + gate.map { "gate: \(Self.shellWords($0))" }
      + copy.map { "copy: \($0)" } + (portEnv.map { ["port_env: \($0)"] } ?? [])
      + disposable.map { "disposable: \($0)" }
  }

  /// An argument array as a person would type it, quoting what needs it.
  public static func shellWords(_ argv: [String]) -> String {
    argv.map { word in
      word.allSatisfy({ $0.isLetter || $0.isNumber || "-_./=:@%+,".contains($0) }) && !word.isEmpty
        ? word : "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }.joined(separator: " ")
  }
}
