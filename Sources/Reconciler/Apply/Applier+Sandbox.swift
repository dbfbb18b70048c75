import Foundation
import Manifest

/// A worker's agent in its sandbox: the layout derived for it, the
/// sandbox checked before anything depends on it, and the pane's command
/// (`wt sandbox-exec … -- bwrap … -- AGENT`).
extension Applier {
  func sandbox(_ change: Plan.Change, project: Project) -> Sandbox {
    manifest.sandbox(for: project, agent: change.agent)
  }

  /// The facts of the worker's sandbox, read outside it.
  func sandboxedWorker(_ change: Plan.Change, project: Project, profile: AgentProfile) async throws -> SandboxedWorker {
    let common = try await world.git.commonDirectory(project.path)
    guard let gitDirectory = world.git.worktreeGitDirectory(of: change.worktree, common: common) else {
      throw SandboxError("\(change.worktree) is not a worktree of \(project.path)")
    }
    return world.sandboxedWorker(change, project: project, profile: profile, common: common, gitDirectory: gitDirectory)
  }

  /// Makes the worker's folders, brings in what an earlier agent
  /// committed, seals the worktree's HEAD on its own ref and checks that
  /// the sandbox starts; returns the layout.
  func prepareSandbox(_ change: Plan.Change, project: Project, profile: AgentProfile) async throws -> SandboxLayout {
    let sandbox = sandbox(change, project: project)
    #if os(macOS)
      // Its proxy runs in bubblewrap jails, and its bridge needs a network
      // namespace of the sandbox's own: neither exists on macOS.
      if case .allow = sandbox.network {
        throw SandboxError("network: {allow: [...]} is not built on macOS yet; use none or full ('wt validate' says so too)")
      }
    #endif
    let worker = try await sandboxedWorker(change, project: project, profile: profile)
    let fm = FileManager.default
    let fresh = !fm.fileExists(atPath: worker.home)
    for folder in [worker.objects + "/pack", worker.objects + "/info", worker.home, worker.run, worker.temporary] {
      try fm.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }
    try await writeGitIdentity(to: worker.gitConfig, repo: project.path)
    if fresh, let home = profile.env["HOME"], home != world.environment["HOME"] {
      try Self.seedHome(from: home, into: worker.home)
    }
    try await world.git.bringIn(
      gitDirectory: worker.gitDirectory, branch: change.branch, objects: worker.objects, repo: project.path,
      scratch: "\(worker.own)/incoming")
    try await world.git.seal(gitDirectory: worker.gitDirectory, branch: change.branch)
    try worker.prepareGitView()
    try await keepBeadsWhereTheyAre(worker, project: project)
    let layout = SandboxLayout.derive(worker, sandbox: sandbox)
    try await probeSandbox(layout, sandbox: sandbox, change: change, project: project)
    return layout
  }

  /// Starts the worker's sandbox once with `true` in it: a runtime, an
  /// image or a mount that fails, fails here, before the session exists.
  func probeSandbox(_ layout: SandboxLayout, sandbox: Sandbox, change: Plan.Change, project: Project) async throws {
    switch sandbox.runtime {
    case .none: return
    case .bwrap:
      let out = try await world.runner.output(NativeSandbox.arguments(layout, command: ["true"]), timeout: .seconds(20))
      guard out.succeeded else {
        throw SandboxError("bubblewrap did not start (exit \(out.status)): \(out.stderr.trimmingCharacters(in: .whitespacesAndNewlines))")
      }
    case .podman:
      if let why = Podman.unexpressible(layout) { throw SandboxError(why) }
      let image = sandbox.image ?? ""
      guard await Podman().hasImage(image, runner: world.runner) != false else {
        throw SandboxError(
          "the image \(image) is not on this machine; build it (podman build -t \(image) DIR) or import it (podman import ROOTFS.tar \(image))")
      }
      var run = world.containerRun(project: project.name, bead: change.bead, image: image, passing: [])
      run.name += "-probe"
      run.idFile = nil
      run.terminal = false
      // An allow list's bridge runs inside: the image's own socat.
      let probe = layout.proxy == nil ? ["true"] : [Socat().program, "-V"]
      let out = try await world.runner.output(Podman().arguments(layout, run: run, command: probe, kind: Bubblewrap.kind), timeout: .seconds(60))
      guard out.succeeded else {
        let why = out.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
        if layout.proxy != nil && out.status == 127 {
          throw SandboxError("the image \(image) has no socat, which network: {allow: [...]} runs inside; add it to the image (apt-get install socat): \(why)")
        }
        throw SandboxError("podman did not start a container of \(image) (exit \(out.status)): \(why)")
      }
      try world.markContainer(project: project.name, bead: change.bead)
    }
  }

  /// The pane's command: wt outside (`sandbox-exec`, which starts the
  /// proxy of an allow list first), then the sandbox, then the agent
  /// (behind the proxy's bridge). `environment` is what the session is given; only its
  /// names, the profile's `pass_env` and a terminal's basics go inside.
  func sandboxed(
    _ argv: [String], change: Plan.Change, project: Project, layout: SandboxLayout, profile: AgentProfile, environment: [String: String]
  ) -> [String] {
    let keep = Set(environment.keys).union(profile.passEnv ?? []).sorted()
    var wrapper = [world.wtExecutable, "sandbox-exec", "--worker", change.worker, "--socket", layout.socket, "--directory", change.worktree]
    for name in keep { wrapper += ["--keep", name] }
    var inside = argv
    if let proxy = layout.proxy {
      wrapper += ["--proxy-folder", proxy.folder] + proxy.domains.flatMap { ["--allow", $0] }
      inside = Socat().bridged(argv, port: SandboxProxy.port, socketFolder: proxy.socketFolder)
    }
    let sandbox = sandbox(change, project: project)
    guard sandbox.runtime == .podman else {
      return wrapper + ["--"] + NativeSandbox.arguments(layout, command: inside)
    }
    let run = world.containerRun(
      project: change.project, bead: change.bead, image: sandbox.image ?? "", passing: keep + SandboxSupervisor.basics)
    wrapper += ["--container-id-file", run.idFile ?? ""]
    if let home = world.environment["HOME"] { wrapper += ["--runtime-home", home] }
    return wrapper + ["--"] + Podman().arguments(layout, run: run, command: inside, kind: Bubblewrap.kind)
  }

  /// An executable as named (`claude`) or as a path, absolute and with
  /// its links followed; nil when there is none.
  static func locate(_ program: String, path: String, followingLinks: Bool = true) -> String? {
    let candidates = program.contains("/") ? [program] : path.split(separator: ":").map { "\($0)/\(program)" }
    guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else { return nil }
    return followingLinks ? URL(fileURLWithPath: found).resolvingSymlinksInPath().path : found
  }

  /// Folders of the shared libraries this wt loaded from outside the
  /// system (a Swift toolchain's runtime), which wt needs inside for its
  /// hooks; none for a statically linked wt.
  static func loadedLibraryFolders() -> [String] {
    guard let maps = try? String(contentsOfFile: "/proc/self/maps", encoding: .utf8) else { return [] }
    let files = maps.split(separator: "\n").compactMap { line -> String? in
      guard let slash = line.firstIndex(of: "/") else { return nil }
      let path = String(line[slash...])
      return path.hasSuffix(".so") || path.contains(".so.") ? path : nil
    }
    return Set(files.map { ($0 as NSString).deletingLastPathComponent }).filter { !SandboxLayout.isSystem($0) }.sorted()
  }

  /// The profile's own home (one made for agents, never the person's),
  /// copied once into the worker's: its settings and credentials, without
  /// what the other workers wrote there since.
  static func seedHome(from home: String, into own: String) throws {
    let fm = FileManager.default
    for name in (try? fm.contentsOfDirectory(atPath: home)) ?? [] {
      try? fm.copyItem(atPath: "\(home)/\(name)", toPath: "\(own)/\(name)")
    }
  }
}

extension Applier {
  /// The agent's command as the pane runs it: in its sandbox when it has
  /// one (a restart prepares it again: commits brought in, HEAD sealed).
  func paneCommand(_ argv: [String], change: Plan.Change, project: Project, profile: AgentProfile, record: WorkerRecord)
    async throws -> [String]
  {
    guard sandbox(change, project: project).isOn else { return argv }
    let layout = try await prepareSandbox(change, project: project, profile: profile)
    let env = environment(change, project: project, profile: profile, record: record)
    return sandboxed(argv, change: change, project: project, layout: layout, profile: profile, environment: env)
  }
}

extension Applier {
  /// The person's `user.name` and `user.email` as git sees them for the
  /// repository, and nothing else of their config (no credential helper,
  /// no aliases): the sandbox's global config.
  func writeGitIdentity(to file: String, repo: String) async throws {
    var text = ""
    for key in ["name", "email"] {
      guard let value = try await world.git.configValue("user.\(key)", repo: repo),
        !value.contains(where: { $0.isNewline || $0 == "\"" || $0 == "\\" })
      else { continue }
      text += "\t\(key) = \"\(value)\"\n"
    }
    try (text.isEmpty ? "" : "[user]\n" + text).write(toFile: file, atomically: true, encoding: .utf8)
  }
}

extension Applier {
  /// The files `copy:` names, copied by wt from the person's checkout,
  /// then `setup`: in the worker's sandbox when it has one (it runs the
  /// repository's code), with a terminal's basics and the worker's port,
  /// never the person's tokens or the agent's keys.
  func runSetup(_ change: Plan.Change, project: Project, record: inout WorkerRecord, layout: SandboxLayout?) async throws {
    let copied = try CopiedFiles.copy(project.copy, from: project.path, into: change.worktree)
    record.copied = (record.copied ?? [:]).merging(try await world.git.blobIDs(copied, in: change.worktree)) { _, b in b }
    guard let layout else {
      for command in project.setup { try await world.runner.run(command, in: change.worktree, timeout: .seconds(900)) }
      return
    }
    var extra = ["WT_WORKER": change.worker]
    if let name = project.portEnv, let port = record.port { extra[name] = String(port) }
    let confined = SandboxedCommand(
      layout: layout, sandbox: sandbox(change, project: project),
      from: world.environment, extra: extra,
      name: world.containerName(project: project.name, bead: change.bead) + "-setup")
    try await confined.withProxy {
      for command in project.setup {
        let out = try await confined.output(command, runner: world.runner, in: change.worktree, timeout: .seconds(900))
        guard out.succeeded else { throw CommandError(argv: command, reason: .exited(out.status), stderr: out.stderr) }
      }
    }
  }
}

extension Applier {
  /// A `.beads/redirect` for the sandbox to hold read-only: the person's,
  /// or one wt writes that says nothing (and keeps out of git status).
  func keepBeadsWhereTheyAre(_ worker: SandboxedWorker, project: Project) async throws {
    guard let beads = worker.beadsDirectory else { return }
    let file = "\(beads)/\(SandboxLayout.beadsRedirect)"
    guard !FileManager.default.fileExists(atPath: file) else { return }
    // The folder is one agents write: never through a link one left.
    try AgentWrittenFolder(root: beads).write(SandboxLayout.beadsRedirectNone, to: SandboxLayout.beadsRedirect)
    try await world.git.exclude([".beads/\(SandboxLayout.beadsRedirect)"], in: project.path)
  }
}

