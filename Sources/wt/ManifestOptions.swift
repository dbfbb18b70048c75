import ArgumentParser
import Foundation
import Manifest
import Reconciler

/// `-f/--file`, shared by every command that reads wt.yaml.
struct ManifestOptions: ParsableArguments {
  @Option(name: [.short, .long], help: "The manifest (default: $WT_CONFIG, ./wt.yaml, ~/.config/wt/wt.yaml).")
  var file: String?

  /// The environment wt runs in: every command takes it from here (or
  /// from its `Context`) and passes it down.
  var environment: WTEnvironment { .process }

  /// The manifest's path, or where wt looked and exit 1.
  func locate() throws -> String { try found().path }

  /// The manifest to read and why (see `ManifestLoader.find`), or where wt
  /// looked and exit 1. Inside a worker's worktree (or with `$WT_WORKER`)
  /// that is the manifest that declared the worker, as wt's state recorded.
  func found() throws -> ManifestLoader.Found {
    let env = environment
    var worker: ManifestLoader.WorkerManifest?
    if file == nil, env.config == nil {
      let store = StateStore(directory: env.stateDirectory)
      let state = (try? store.load()) ?? State()
      let named = env.worker.flatMap { state.workers[$0] }
      let record = named ?? state.worker(containing: FileManager.default.currentDirectoryPath)
      if let record, let manifest = record.manifest {
        worker = .init(
          worker: record.name, file: manifest, fromRepository: record.manifestFromRepository ?? false, host: record.manifestHost)
      }
    }
    do { return try ManifestLoader(environment: env.variables).find(explicit: file, worker: worker) } catch {
      Terminal.error("wt: \(error.description)")
      throw ExitCode.failure
    }
  }

  /// The manifest, or every diagnostic on stderr and exit 1. Warnings are
  /// printed either way. A repository's wt.yaml that would run commands the
  /// person has not trusted stops every command but `validate` and
  /// `trust`; a repository's `project:` block is marked, and its project
  /// waits (see `ForeignFile`).
  func load() async throws -> Manifest { try await load(keepingProjects: false).manifest }

  /// `load()` for a glance (`status`, `watch`, `hub`, `ready`, `project
  /// list`): a project whose base is missing stays, and its problem comes
  /// back as a sentence to show beside the others' workers.
  func load(keepingProjects: Bool) async throws -> (manifest: Manifest, problems: [String]) {
    if case .failure(let problem) = environment.timeout {
      Terminal.error("wt: \(problem)")
      throw ExitCode.failure
    }
    let (manifest, problems) = try await loadMarkingTrust(keepingProjects: keepingProjects)
    if let foreign = manifest.foreign, foreign.needsTrust {
      Terminal.error("wt: \(foreign.refusal)")
      throw ExitCode.failure
    }
    return (manifest, problems)
  }

  /// A fresh context for a long-running command, or nil (errors printed
  /// nowhere: the caller keeps its last good one and says so).
  static func reload(_ options: ManifestOptions) async throws -> Context {
    Terminal.muted = true
    defer { Terminal.muted = false }
    return try await Context(glance: options)
  }

  /// The manifest with trust marked, untrusted or not, checked against its
  /// repositories (`RepositoryCheck`).
  func loadMarkingTrust() async throws -> Manifest { try await loadMarkingTrust(keepingProjects: false).manifest }

  func loadMarkingTrust(keepingProjects: Bool) async throws -> (manifest: Manifest, problems: [String]) {
    let found = try found()
    var loader = ManifestLoader(environment: environment.variables)
    loader.keepingMissingPaths = keepingProjects
    let (result, problems) = await RepositoryCheck.checkKeepingProjects(
      found.loader(loader).load(file: found.path, named: found.named), git: Git(runner: ProcessRunner()),
      keeping: keepingProjects)
    for diagnostic in result.diagnostics { Terminal.error(diagnostic.description) }
    guard let manifest = result.manifest else { throw ExitCode.failure }
    let store = TrustStore(directory: environment.stateDirectory)
    do {
      return (try store.marking(manifest), problems)
    } catch {
      Terminal.error("wt: \(describe(error))")
      throw ExitCode.failure
    }
  }
}

enum Terminal {
  /// Errors quote bd's, git's and gates' output: shown, never obeyed.
  /// Set while a full-screen view reloads its manifest: diagnostics would
  /// scribble over the screen, and the view says what happened itself.
  nonisolated(unsafe) static var muted = false

  static func error(_ text: String) {
    if muted { return }
    // Never traps when stderr is a pipe whose reader is gone.
    Interrupts.writeIgnoringErrors(STDERR_FILENO, TerminalText.escape(text, keepNewlines: true) + "\n")
  }

  /// A line of plain output (no colour of wt's own in it) that may quote
  /// bead, repository or agent text.
  static func line(_ text: String, terminator: String = "\n") {
    print(TerminalText.escape(text, keepNewlines: true), terminator: terminator)
  }

  static var stdoutIsTerminal: Bool { isatty(STDOUT_FILENO) == 1 }
  static var stdinIsTerminal: Bool { isatty(STDIN_FILENO) == 1 }

  /// Columns of the terminal, or 120 when not a terminal.
  static var width: Int { windowSize.map { Int($0.ws_col) } ?? 120 }
  static var height: Int { windowSize.map { Int($0.ws_row) } ?? 50 }

  private static var windowSize: winsize? {
    var size = winsize()
    guard ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return nil }
    return size
  }

  /// Colour only for a terminal, and never when NO_COLOR is set.
  static var useColor: Bool {
    // Asked by whatever prints, commands or not: the process's value.
    stdoutIsTerminal && !WTEnvironment.process.noColor
  }
}

/// `--interval`: seconds between passes or refreshes, within bounds.
func intervalSeconds(_ text: String) throws -> Double {
  switch Seconds.parse(text, name: "--interval", range: Seconds.intervals) {
  case .success(let value): return value
  case .failure(let problem): throw ValidationError(problem.message)
  }
}

/// `--pass-after`: 0 (at once) or an interval.
func intervalOrZero(_ text: String) throws -> Double {
  text == "0" || text == "0.0" ? 0 : try intervalSeconds(text)
}

