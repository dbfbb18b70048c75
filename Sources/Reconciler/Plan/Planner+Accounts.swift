import Foundation
import Manifest

/// The credentials a worker runs with: an account of `accounts:`, or the
/// one implicit account of an agent (the environment wt runs in).
struct AccountKey: Hashable, Sendable {
  var name: String?
  var agent: String

  /// How a person reads it: `work`, or `claude's own` for the implicit one.
  var shown: String { name ?? "\(agent)'s own" }
}

/// Why an account starts nothing now: one of its workers met a usage
/// limit with a reset (`until`), an unknown reset (until its backoff), or
/// billing (a person must act: no time).
struct AccountPause: Equatable, Sendable {
  var until: Date?
  var needsPerson: Bool
}

extension Planner {
  /// Every paused account, from the workers' records as observed: a
  /// restarted `wt auto` reads the same pauses back. `.overloaded`,
  /// `.budget` and `.transient` pause their worker only.
  static func accountPauses(_ manifest: Manifest, _ observed: Observed) -> [AccountKey: AccountPause] {
    var out: [AccountKey: AccountPause] = [:]
    for record in observed.state.workers.values {
      guard let limit = record.limit else { continue }
      let agent = record.agent ?? manifest.project(named: record.project)?.agent ?? Defaults.agent
      let key = AccountKey(name: record.account, agent: agent)
      let pause: AccountPause
      switch limit.kind {
      case .needsPerson:
        pause = AccountPause(until: nil, needsPerson: true)
      case .usage, .unknownReset:
        // A reset that has passed frees the account, whatever the worker
        // does next; no reset known pauses until the backoff says.
        if let until = limit.until, until <= observed.now { continue }
        pause = AccountPause(until: limit.until, needsPerson: false)
      case .overloaded, .budget, .transient:
        continue
      }
      out[key] = out[key].map { Self.longer($0, pause) } ?? pause
    }
    return out
  }

  /// Whether the worker of `record` is stopped on a limit that pauses
  /// its whole account (and so holds no slot while it lasts).
  func pausesItsAccount(_ record: WorkerRecord?) -> Bool {
    guard let record, let limit = record.limit else { return false }
    let agent = record.agent ?? manifest.project(named: record.project)?.agent ?? Defaults.agent
    return accountPauses[AccountKey(name: record.account, agent: agent)] != nil
      && [.usage, .unknownReset, .needsPerson].contains(limit.kind)
  }

  /// The agent a worker of `bead` runs: the one its record has (a worker
  /// keeps the agent it started with), else by the bead's labels.
  func agent(of bead: Bead, in project: Project) -> String {
    observed.state.workers[WorkerNaming.name(project: project.name, bead: bead.id)]?.agent
      ?? project.agent(forLabels: bead.labels ?? [])
  }

  /// Two workers' pauses of one account: the one that lasts longer.
  static func longer(_ a: AccountPause, _ b: AccountPause) -> AccountPause {
    if a.needsPerson || b.needsPerson { return AccountPause(until: nil, needsPerson: true) }
    guard let ua = a.until, let ub = b.until else { return AccountPause(until: nil, needsPerson: false) }
    return ua >= ub ? a : b
  }

  /// The account a new worker of `agent` starts on: the first of the
  /// project's accounts for that agent that is not paused (the agent's
  /// implicit one when the project lists none for it). Else why it waits
  /// and until when.
  func chooseAccount(_ project: Project, agent: String) -> AccountChoice {
    let listed = manifest.accounts(of: project, agent: agent)
    let keys = listed.isEmpty ? [AccountKey(name: nil, agent: agent)] : listed.map { AccountKey(name: $0.name, agent: agent) }
    var skipped: [String] = []
    for key in keys {
      guard let pause = accountPauses[key] else {
        let account = key.name.flatMap(manifest.account(named:))
        var reason = account.map { a in
          "on account \(a.name)" + (a.env.isEmpty ? "" : ": sets \(a.env.keys.sorted().joined(separator: ", "))")
        }
        if !skipped.isEmpty { reason = skipped.joined(separator: "; ") + "; " + (reason ?? "") }
        return .free(account: key.name, reason: reason)
      }
      skipped.append(describe(key, pause))
    }
    let pauses = keys.compactMap { accountPauses[$0] }
    // The loop comes back when the first of them is free again.
    let until = pauses.contains { $0.until == nil } ? nil : pauses.compactMap(\.until).min()
    let reason = keys.count == 1 ? describe(keys[0], pauses[0]) : "every account is paused: " + skipped.joined(separator: "; ")
    return .paused(reason: reason, until: until)
  }

  func describe(_ key: AccountKey, _ pause: AccountPause) -> String {
    if pause.needsPerson {
      return "account \(key.shown) needs a person (billing or its key was refused; see 'wt status')"
    }
    guard let until = pause.until else { return "account \(key.shown) limited, reset unknown" }
    return "account \(key.shown) limited until \(ClockTime.text(until, now: observed.now, timeZone: options.timeZone))"
  }
}

extension Plan {
  /// The account a worker of `project` run by `agent` starts on now, as a
  /// pass would choose it from the workers' records (`wt new`, which
  /// starts outside a pass).
  public static func account(
    for project: Project, agent: String, manifest: Manifest, state: State, now: Date, timeZone: TimeZone = .current
  ) -> (account: String?, paused: String?) {
    var options = PlanOptions()
    options.timeZone = timeZone
    let observed = Observed(projects: [:], panes: [], state: state, machine: .init(cores: 1, load1: nil, memoryAvailable: nil), now: now)
    switch Planner(manifest: manifest, observed: observed, options: options).chooseAccount(project, agent: agent) {
    case .free(let account, _): return (account, nil)
    case .paused(let reason, _): return (manifest.accounts(of: project, agent: agent).first?.name, reason)
    }
  }
}

enum AccountChoice: Equatable {
  /// `account`: nil for the agent's implicit one; `reason`: what the
  /// change says about it (variable names only, never a value).
  case free(account: String?, reason: String?)
  case paused(reason: String, until: Date?)
}

/// A time as a person reads it beside now: `15:02` the same day, else
/// `2026-12-07 15:02`.
public enum ClockTime {
  public static func text(_ date: Date, now: Date, timeZone: TimeZone) -> String {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = timeZone
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = timeZone
    formatter.dateFormat = calendar.isDate(date, inSameDayAs: now) ? "HH:mm" : "yyyy-MM-dd HH:mm"
    return formatter.string(from: date)
  }
}
