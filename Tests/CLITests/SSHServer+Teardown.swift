import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Ending everything the rig's host account started, whatever became of
/// it. A remote wt starts its tmux server on the socket the manifest names
/// (`~/tmux.sock`, not under `TMUX_TMPDIR`), and a tmux server, like any
/// daemon, leaves its parent (so it is no descendant of sshd) and its
/// process group and session (so it is no member of what the rig
/// started). What still marks every such process is the environment sshd
/// gave the session it came from (`SetEnv`): `TMUX_TMPDIR` names the rig's
/// folder, which no other process has, and the environment a process
/// inherits stays in /proc/PID/environ even after its folder is deleted.
extension SSHServer {
  /// The live processes the sessions of the rig in `dir` started, and
  /// theirs: every process whose environment names the rig's tmux folder
  /// (this test process never does). Asked after the rig is gone too.
  static func processesStarted(by dir: String) -> [ProcessEntry] {
    let marker = "TMUX_TMPDIR=\(dir)/tmux"
    return ProcessEntry.all().filter { $0.pid != getpid() && $0.environment.contains(marker) }
  }

  func processesItStarted() -> [ProcessEntry] { Self.processesStarted(by: dir) }

  /// Ends what the rig's host account started: each tmux server on a
  /// socket anywhere under the rig's folder, by its socket (so it ends its
  /// panes as tmux does), then whatever still carries the rig's `TMUX_TMPDIR`, killed
  /// until none is left (a shell may fork while it is being killed).
  /// Bounded: gives up after `seconds`.
  func endEverythingItStarted(seconds: Double = 10) {
    for socket in Self.sockets(under: dir) {
      _ = try? Self.run(["tmux", "-S", socket, "kill-server"], check: false)
    }
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
      let left = processesItStarted()
      if left.isEmpty { return }
      for entry in left { kill(entry.pid, SIGKILL) }
      Thread.sleep(forTimeInterval: 0.01)
    }
  }

  /// Every Unix socket in the folder tree under `root`.
  static func sockets(under root: String) -> [String] {
    guard let walker = FileManager.default.enumerator(atPath: root) else { return [] }
    var found: [String] = []
    while let relative = walker.nextObject() as? String {
      let path = "\(root)/\(relative)"
      var info = stat()
      if lstat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFSOCK { found.append(path) }
    }
    return found
  }
}

extension ProcessEntry {
  /// Every live process (zombies and dead ones left out), from one read of
  /// /proc.
  static func all() -> [ProcessEntry] {
    ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [])
      .compactMap { pid_t($0) }.compactMap { ProcessEntry(pid: $0) }
      .filter { $0.state != "Z" && $0.state != "X" }
  }

  /// The environment it started with (`NAME=value` entries), or none if
  /// it cannot be read (another user's, or gone).
  var environment: Set<String> {
    guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/environ") else { return [] }
    return Set(data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) })
  }

  /// Its arguments, `argv[0]` first, or none if they cannot be read.
  var commandLine: [String] {
    guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return [] }
    return data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
  }
}
