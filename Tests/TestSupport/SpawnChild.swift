import Foundation

/// Starts `argv` with posix_spawn as a shell starts a program: every signal
/// at its default and none blocked (the test runner ignores and blocks
/// some, which a child would inherit), in process group `group` when one
/// is given (0: a new group of its own). `dups` puts descriptors in place
/// (-1: /dev/null); stdin is /dev/null unless one of them says otherwise,
/// and `closing` is closed in the child. Foundation's Process was seen
/// never to notice the end of a tmux client that starts a server, and
/// cannot set a group; the caller reaps the child with `waitpid`.
public func spawnChild(
  _ argv: [String], environment: [String], group: pid_t? = nil, dups: [(Int32, Int32)] = [(-1, 1), (-1, 2)],
  closing: [Int32] = []
) throws -> pid_t {
  var actions = posix_spawn_file_actions_t()
  posix_spawn_file_actions_init(&actions)
  defer { posix_spawn_file_actions_destroy(&actions) }
  let null = open("/dev/null", O_RDWR)
  defer { close(null) }
  posix_spawn_file_actions_adddup2(&actions, null, 0)
  for (from, to) in dups { posix_spawn_file_actions_adddup2(&actions, from < 0 ? null : from, to) }
  for fd in closing + [null] { posix_spawn_file_actions_addclose(&actions, fd) }
  var attributes = posix_spawnattr_t()
  posix_spawnattr_init(&attributes)
  defer { posix_spawnattr_destroy(&attributes) }
  var flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF
  if let group {
    flags |= POSIX_SPAWN_SETPGROUP
    posix_spawnattr_setpgroup(&attributes, group)
  }
  posix_spawnattr_setflags(&attributes, Int16(flags))
  var none = sigset_t()
  sigemptyset(&none)
  posix_spawnattr_setsigmask(&attributes, &none)
  var all = sigset_t()
  sigfillset(&all)
  posix_spawnattr_setsigdefault(&attributes, &all)
  var pid: pid_t = 0
  let cArgs = argv.map { strdup($0) } + [nil]
  let cEnv = environment.map { strdup($0) } + [nil]
  defer { (cArgs + cEnv).forEach { free($0) } }
  let rc = posix_spawn(&pid, argv[0], &actions, &attributes, cArgs, cEnv)
  guard rc == 0 else { throw SpawnFailure(program: argv[0], code: rc) }
  return pid
}

public struct SpawnFailure: Error, CustomStringConvertible {
  public var program: String
  public var code: Int32
  public var description: String { "posix_spawn \(program): \(code)" }
}
