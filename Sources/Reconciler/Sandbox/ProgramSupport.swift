import Foundation

/// What an interpreted program needs, besides its own file, to start
/// inside a sandbox that shows only what it is given: the interpreter its
/// `#!` line names (an `env` one found on the session's `PATH`), the
/// environment it was installed into (a Python venv, the folder holding
/// its node packages) and the interpreter's own installation after links
/// (a pyenv, uv or nvm version folder). Aider is a script in a venv whose
/// `python3` links to an interpreter elsewhere; codex and gemini are
/// `#!/usr/bin/env node` scripts in an npm prefix.
///
/// A pure function of the program's name, `PATH`, the person's home and
/// what `Files` reads: it never adds the home, a folder holding it, or a
/// folder straight under it that is no environment of its own (`~/.local`
/// holds `share/keyrings`): there it adds only the installation's `lib`.
public enum ProgramSupport {
  /// A folder or file a program needs, and why (for `wt diff`).
  public struct Part: Hashable, Sendable {
    public var path: String
    public var purpose: String
    public init(path: String, purpose: String) {
      self.path = path
      self.purpose = purpose
    }
  }

  /// How the machine is read: the first line of a file when it is a `#!`
  /// line, a path with its links followed, whether a file exists, whether
  /// it is executable, a small text file's contents.
  public struct Files: Sendable {
    public var shebang: @Sendable (String) -> String?
    public var resolve: @Sendable (String) -> String
    public var exists: @Sendable (String) -> Bool
    public var isExecutable: @Sendable (String) -> Bool
    public var text: @Sendable (String) -> String?

    public static let disk = Files(
      shebang: { path in
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        let head = (try? handle.read(upToCount: 256)) ?? Data()
        guard head.starts(with: Array("#!".utf8)) else { return nil }
        let line = head.dropFirst(2).prefix { $0 != UInt8(ascii: "\n") }
        return String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespaces)
      },
      resolve: { URL(fileURLWithPath: $0).resolvingSymlinksInPath().path },
      exists: { FileManager.default.fileExists(atPath: $0) },
      isExecutable: { FileManager.default.isExecutableFile(atPath: $0) },
      text: { try? String(contentsOfFile: $0, encoding: .utf8) })
  }

  /// Shells: a `#!/bin/sh` wrapper found on `PATH` for an `env` line is a
  /// version manager's shim (pyenv, asdf, rbenv) that picks the real
  /// interpreter when it runs, from folders not derived here. It is
  /// skipped, as it will be inside where it is not shown, and the next
  /// interpreter on `PATH` is the one that runs.
  static let shells: Set<String> = ["sh", "bash", "dash", "zsh", "ksh"]

  /// The parts `program` (absolute, as named or found, links not yet
  /// followed) needs besides itself, in the order found.
  public static func parts(of program: String, path: String, home: String, files: Files = .disk) -> [Part] {
    var out: [Part] = []
    var seen: Set<String> = []
    func add(_ path: String, _ purpose: String) {
      guard allowed(path, home: home), seen.insert(path).inserted else { return }
      out.append(Part(path: path, purpose: purpose))
    }
    walk(program, as: nil, depth: 0, path: path, home: home, files: files, add: add)
    return out
  }

  /// `program`, and through its `#!` line its interpreter, at most four
  /// deep (an interpreter that is a script of its own).
  static func walk(
    _ program: String, as interpreterOf: String?, depth: Int, path: String, home: String, files: Files,
    add: (String, String) -> Void
  ) {
    let name = (program as NSString).lastPathComponent
    let real = files.resolve(program)
    if let of = interpreterOf {
      add(program, "the interpreter of \(of)")
      if real != program { add(real, "the interpreter of \(of) (\(name), its links followed)") }
    }
    for candidate in Set([program, real]).sorted() {
      if let venv = venvRoot(of: candidate, files: files) {
        add(venv, "the Python environment of \(name)")
        if let base = files.text("\(venv)/pyvenv.cfg").flatMap(venvHome) {
          installation(ofBin: base, name: "\(name)'s Python", home: home, add: add)
        }
      }
      if let packages = packagesRoot(of: candidate) { add(packages, "the node packages of \(name)") }
    }
    if interpreterOf != nil { installation(ofBin: (real as NSString).deletingLastPathComponent, name: name, home: home, add: add) }
    guard depth < 4, let line = files.shebang(real),
      let interpreter = interpreter(line, path: path, files: files)
    else { return }
    walk(interpreter, as: name, depth: depth + 1, path: path, home: home, files: files, add: add)
  }

  /// The interpreter a `#!` line runs: its first word, or for `env` the
  /// first word after its options and assignments, found on `PATH`.
  static func interpreter(_ line: String, path: String, files: Files) -> String? {
    let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
    guard let first = words.first, first.hasPrefix("/") else { return nil }
    guard (first as NSString).lastPathComponent == "env" else { return first }
    // `env -S "node --flag"` splits its argument itself: the words after
    // the options are the same either way.
    guard let named = words.dropFirst().first(where: { !$0.hasPrefix("-") && !$0.contains("=") }) else { return nil }
    if named.hasPrefix("/") { return named }
    for folder in path.split(separator: ":") where folder.hasPrefix("/") {
      let candidate = "\(folder)/\(named)"
      guard files.isExecutable(candidate) else { continue }
      if let wrapper = files.shebang(files.resolve(candidate)),
        let shell = wrapper.split(separator: " ").first.map({ ($0 as NSString).lastPathComponent }),
        shells.contains(shell) || (shell == "env" && wrapper.split(separator: " ").dropFirst().contains { shells.contains(String($0)) })
      {
        continue
      }
      return candidate
    }
    return nil
  }

  /// The venv a program sits in: the folder with a `pyvenv.cfg`, the
  /// program's own folder or the one above it (`venv/bin/python3`), as
  /// Python itself looks (https://docs.python.org/3/library/venv.html).
  static func venvRoot(of program: String, files: Files) -> String? {
    let bin = (program as NSString).deletingLastPathComponent
    return [bin, (bin as NSString).deletingLastPathComponent].first { $0 != "/" && files.exists("\($0)/pyvenv.cfg") }
  }

  /// `home = FOLDER` of a `pyvenv.cfg`: the base interpreter's folder.
  static func venvHome(_ cfg: String) -> String? {
    for line in cfg.split(separator: "\n") {
      let pair = line.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
      if pair.count == 2, pair[0] == "home", pair[1].hasPrefix("/") { return pair[1] }
    }
    return nil
  }

  /// The outermost `node_modules` folder on a program's path: npm puts a
  /// package's dependencies under it (`…/lib/node_modules/@openai/codex`).
  static func packagesRoot(of program: String) -> String? {
    guard let range = program.range(of: "/node_modules/") else { return nil }
    return String(program[..<range.lowerBound]) + "/node_modules"
  }

  /// An interpreter's installation: the folder above its `bin` (its
  /// standard library, `libpython`, global packages), or only that
  /// folder's `lib` where the folder is one of the home's own.
  static func installation(ofBin bin: String, name: String, home: String, add: (String, String) -> Void) {
    guard (bin as NSString).lastPathComponent == "bin" else { return }
    let prefix = (bin as NSString).deletingLastPathComponent
    if (prefix as NSString).deletingLastPathComponent == home {
      add("\(prefix)/lib", "the libraries of \(name)'s installation")
    } else {
      add(prefix, "the installation of \(name)")
    }
  }

  /// Never the root, the home, a folder holding it, or the home itself
  /// reached through a relative path.
  static func allowed(_ path: String, home: String) -> Bool {
    func trimmed(_ p: String) -> String { "/" + p.split(separator: "/").joined(separator: "/") }
    guard path.hasPrefix("/"), !path.split(separator: "/").contains("..") else { return false }
    let (p, h) = (trimmed(path), trimmed(home))
    return p != "/" && p != h && !h.hasPrefix(p + "/")
  }
}
