/// The one place an argument array becomes text for a remote shell.
///
/// `ssh host ARGS…` joins its arguments with spaces and hands the result to
/// the login shell on the host, so every word wt sends (a bead id, a path,
/// a prompt) must reach that shell as one inert word. Each word is put in
/// single quotes, inside which a POSIX shell (sh, bash, dash, zsh, ksh)
/// expands nothing; a single quote itself becomes `'\''`. Nothing else is
/// special between single quotes: not `$`, backquotes, backslashes,
/// newlines or bytes that are not ASCII.
public enum RemoteShell {
  /// One word, quoted.
  public static func quote(_ word: String) -> String {
    "'" + word.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
  }

  /// A whole command line: `env -- NAME=VALUE… argv…`, run in `directory`
  /// when one is given. `env` sets the variables without a shell reading
  /// their values; `--` keeps a value starting with `-` from being read as
  /// env's option. Variable names are checked, because `env` would take a
  /// name with `=` in it as two things, and so is the program, which `env`
  /// would take for one more variable if it held `=`.
  ///
  /// `wt`, named bare, is also looked for where `wt host install` puts it
  /// (`~/.local/bin`), which a non-interactive ssh command's PATH lacks on
  /// Debian and Ubuntu (only a login shell's `~/.profile` adds it): PATH
  /// gets that folder last, a constant whose `$` the host's shell expands.
  public static func command(
    _ argv: [String], environment: [String: String] = [:], directory: String? = nil
  ) -> String {
    precondition(!argv.isEmpty)
    var words: [String] = []
    if let directory { words += ["cd", quote(directory), "&&"] }
    let names = environment.keys.sorted()
    precondition(names.allSatisfy(isVariableName), "environment names must be shell variable names")
    precondition(!argv[0].contains("="), "a program name must not hold '='")
    words += ["exec", "env", "--"]
    if argv[0] == "wt" && environment["PATH"] == nil { words.append(installedWTPath) }
    for name in names { words.append(quote("\(name)=\(environment[name]!)")) }
    words += argv.map(quote)
    return words.joined(separator: " ")
  }

  /// PATH for a bare `wt`: the host's own, then where `wt host install`
  /// puts it by default.
  static let installedWTPath = #""PATH=$PATH:$HOME/.local/bin""#

  static func isVariableName(_ name: String) -> Bool {
    guard let first = name.unicodeScalars.first, first == "_" || (first.isASCII && first.properties.isAlphabetic)
    else { return false }
    return name.unicodeScalars.allSatisfy { $0 == "_" || ($0.isASCII && $0.properties.isAlphabetic) || ("0"..."9").contains($0) }
  }
}
