import Foundation

/// The environment a gate runs in: the person's, the same whoever runs
/// `wt done`.
///
/// A worker's session has its tmux server's environment, which is that of
/// whichever wt started the server, perhaps days ago in another shell: an
/// agent's `wt done` there failed with "No module named pytest" where the
/// person's, from a shell with the project's virtualenv on PATH, passed.
/// So each wt command a person runs to start or finish work (`apply`,
/// `auto`, `new`, `done`), outside a worker and outside the hub, records
/// its environment here, and every gate runs in the last one recorded,
/// nothing inherited. wt's own variables and tmux's are left out: the gate
/// is the person's check, not a worker. The file is the person's alone
/// (`0600`), as their environment may hold keys.
///
/// Per project: `wt apply --project api` from the shell with api's
/// virtualenv records it for api alone, so another project's gate keeps
/// the environment recorded for it (or for every project).
public enum GateEnvironment {
  static let fileName = "gate-environment.json"

  /// Variables that say where a process runs, not what the gate needs.
  static func isOwn(_ name: String) -> Bool {
    name.hasPrefix("WT_") || name == "TMUX" || name == "TMUX_PANE"
  }

  /// Whether `environment` is a person's own shell: not a worker's
  /// session, not the hub (whose sessions have the tmux server's).
  public static func isPersons(_ environment: [String: String]) -> Bool {
    (environment["WT_WORKER"] ?? "").isEmpty && (environment["WT_HUB"] ?? "").isEmpty
  }

  /// What the file holds: the environment for every project, and the ones
  /// recorded for some projects alone.
  struct Recorded: Codable {
    var all: [String: String]?
    var projects: [String: [String: String]] = [:]
  }

  static func read(_ store: StateStore) -> Recorded? {
    guard let data = FileManager.default.contents(atPath: "\(store.directory)/\(fileName)") else { return nil }
    if let recorded = try? JSONDecoder().decode(Recorded.self, from: data), recorded.all != nil || !recorded.projects.isEmpty {
      return recorded
    }
    // The first form of the file: one environment for every project.
    return (try? JSONSerialization.jsonObject(with: data) as? [String: String]).map { Recorded(all: $0) }
  }

  /// Records `environment` as the one gates run in, when it is a person's:
  /// for `projects` alone, or for every project (none named).
  public static func record(_ environment: [String: String], in store: StateStore, projects: [String] = []) {
    guard isPersons(environment) else { return }
    let kept = environment.filter { !isOwn($0.key) }
    var recorded = read(store) ?? Recorded()
    if projects.isEmpty {
      recorded = Recorded(all: kept)
    } else {
      for project in projects { recorded.projects[project] = kept }
    }
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    guard let data = try? encoder.encode(recorded) else { return }
    let path = "\(store.directory)/\(fileName)"
    try? FileManager.default.createDirectory(atPath: store.directory, withIntermediateDirectories: true)
    let temporary = "\(path).\(getpid()).new"
    guard FileManager.default.createFile(atPath: temporary, contents: data, attributes: [.posixPermissions: 0o600]) else { return }
    if rename(temporary, path) != 0 { unlink(temporary) }
  }

  /// The environment `project`'s gate runs in: the one recorded for it,
  /// else for every project, else this process's (without wt's and tmux's
  /// own).
  public static func current(store: StateStore, project: String, fallback: [String: String]) -> [String: String] {
    let recorded = read(store)
    return recorded?.projects[project] ?? recorded?.all ?? fallback.filter { !isOwn($0.key) }
  }
}
