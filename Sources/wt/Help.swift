/// The discussion of a command's help: what its abstract has no room for,
/// then one realistic invocation, so `wt help COMMAND` shows how it is
/// used (`git help`'s EXAMPLES, in brief). The help of every command is
/// pinned in `Tests/CLITests/Golden/help/`. Example lines stay under 78
/// columns: the argument parser wraps longer ones at 80.
func discussion(_ text: String = "", example lines: String...) -> String {
  let example = "Example:\n" + lines.map { "  " + $0 }.joined(separator: "\n")
  return text.isEmpty ? example : text + "\n\n" + example
}
