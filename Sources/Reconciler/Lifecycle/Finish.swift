import Foundation
import Manifest

/// `wt done`: check that there is real work, then merge it through the
/// repository's merge queue / open a pull request / keep it, close the
/// bead once the work is where `on_done` says, and tear the worker down.
/// Safe to run from inside the worker's own session: the session is
/// killed last, after everything that matters is written.
public struct Finish: Sendable {
  public var manifest: Manifest
  public var world: World
  /// Close the bead even when the branch has no commits beyond base.
  public var allowEmpty = false
  /// `wt done` runs in this worker's own session: the agent reads what
  /// it prints, so a follow-up is printed rather than pasted into a pane
  /// that is busy running this very command.
  public var insideWorker = false
  /// How long to wait for another merge of the same repository.
  public var lockWait: Duration = .seconds(3600)
  /// Told about waits as they happen (the merge lock's holder).
  public var progress: @Sendable (String) -> Void = { _ in }

  public init(manifest: Manifest, world: World) {
    self.manifest = manifest
    self.world = world
  }

  public func run(_ worker: WorkerRef) async throws -> [String] {
    let project = worker.project
    // A sandboxed agent's commits are on its own ref until wt brings them.
    try await world.bringInSandboxed(project: project, bead: worker.bead, worktree: worker.worktree, branch: worker.branch)
    let ahead = try await checkWork(worker)
    if project.onDone.opensPullRequest && ahead > 0 {
      let problems = await PullRequestTools.problems(repo: project.path, runner: world.runner)
      if !problems.isEmpty {
        throw LifecycleError(
          "cannot open a pull request: \(problems.joined(separator: "; ")). Nothing was pushed or changed.")
      }
    }
    let mergedBefore = ahead == 0 ? try await mergedEarlier(worker) : false
    var said: [String] = []
    let bead = try await world.tracker.show(worker.bead, in: project.path)
    let reason: String
    var keepWorktree: String?
    switch project.onDone {
    case _ where ahead == 0 && mergedBefore:
      said.append("\(project.base) already has the work of \(worker.branch)")
      reason = "Done: \(worker.branch) is in \(project.base)"
    case _ where ahead == 0:
      said.append("\(worker.branch) has no commits beyond \(project.base); closing without a merge (--allow-empty)")
      reason = "Done: no changes (--allow-empty)"
    case .merge:
      said += try await mergeThroughQueue(worker, priority: bead?.priority)
      reason = "Done: merged \(worker.branch) into \(project.base) by wt"
    case .pr, .prAuto:
      return try await said + openPullRequest(worker, bead: bead)
    case .keep:
      said += try await gateBranch(worker)
      said.append("kept branch \(worker.branch)")
      reason = "Done: work is on branch \(worker.branch)"
      keepWorktree = "on_done is keep; branch \(worker.branch)"
    }
    // The merger closes the beads of a batch as base takes it.
    let closed = project.onDone == .merge && ahead > 0 ? try await world.tracker.show(worker.bead, in: project.path)?.isClosed : bead?.isClosed
    if closed != true {
      // Under the bead guard: a release that read the bead open cannot
      // land between that read and this close.
      try await world.guardingBeads { try await world.tracker.close(worker.bead, reason: reason, in: project.path) }
      said.append("closed \(worker.bead)")
    }
    try MergeQueue(world: world).remove(worker)
    try signal(worker, status: .done, message: reason)
    world.store.record(.done(reason: reason), worker: worker.name)
    said += await tearDown(worker, keep: keepWorktree)
    // Last: this may be the session wt itself runs in.
    said.append("stopping \(worker.session)")
    try await world.endSession(worker.session, project: worker.project.name, bead: worker.bead)
    return said
  }

  /// Gates the branch, opens its pull request and stops the session. The
  /// bead stays wt's until the pull request merges: the loop follows it
  /// (`Planner+PullRequests`).
  func openPullRequest(_ worker: WorkerRef, bead: Bead?) async throws -> [String] {
    var said = try await gateBranch(worker)
    let url = try await pullRequest(worker, title: bead?.title ?? worker.bead, body: bead?.description ?? "")
    said.append("opened \(url)")
    said += try await followPullRequest(worker, url: url)
    try MergeQueue(world: world).remove(worker)
    said.append("stopping \(worker.session)")
    try await world.endSession(worker.session, project: worker.project.name, bead: worker.bead)
    return said
  }

  /// Queues the worker (its ticket), then waits for its entry's outcome:
  /// whoever holds the repository's merge lock merges every waiting entry,
  /// so this process either takes the lock and merges (its own entry and
  /// everyone's waiting) or reads what the holder made of its entry. On a
  /// conflict or a failing gate the worker is told what to fix and the
  /// bead stays open; when the person's checkout is in the way the merge
  /// is held. Either way nothing moved.
  func mergeThroughQueue(_ worker: WorkerRef, priority: Int?) async throws -> [String] {
    let queue = MergeQueue(world: world)
    let tip = try await world.git.revParse(worker.branch, repo: worker.project.path)
    try await queue.enqueue(worker, tip: tip, priority: priority)
    let outcome: Merger.Outcome
    do {
      outcome = try await awaitOutcome(worker, queue: queue)
    } catch let error as LifecycleError {
      throw error
    } catch {
      try? queue.set(worker, .failed, reason: "\(error)")
      throw error
    }
    let base = worker.project.base
    switch outcome {
    case .merged(let commit, let how, let gated):
      var lines = gated.map { "gate `\($0)` passed on \(worker.branch) merged with \(base)" }
      if let batch = try? queue.entries().first(where: { $0.worker == worker.name })?.batch {
        lines.append("merged in batch \(batch)")
      }
      lines.append("merged \(worker.branch) into \(base) as \(commit.prefix(10)) (\(how))")
      return lines
    case .alreadyInBase:
      return ["\(base) already has the changes of \(worker.branch)"]
    case .held(let why):
      try queue.set(worker, .held, reason: why)
      throw LifecycleError("the merge of \(worker.branch) waits: \(why)")
    case .conflict(let files):
      let why = "\(worker.branch) conflicts with \(base) in \(files.joined(separator: ", "))"
      try queue.set(worker, .failed, reason: why)
      let told = try await followUp(
        worker, status: why,
        prompt: """
          wt could not merge your branch \(worker.branch) into \(base): these files conflict with \(base):
          \(files.map { "- \($0)" }.joined(separator: "\n"))
          Merge \(base) into your branch (git merge \(base)), resolve the conflicts, commit, and run `wt done` again.
          """)
      throw LifecycleError("\(why); nothing was merged and the bead stays open. \(told)")
    case .gateFailed(let command, let status, let excerpt):
      try await gateFailed(worker, command: command, status: status, excerpt: excerpt, on: "\(worker.branch) merged with \(base)", queue: queue)
    }
  }

  /// For `pr` and `keep`, which move no base: the gate on the branch as it
  /// is, in wt's own temporary worktree.
  func gateBranch(_ worker: WorkerRef) async throws -> [String] {
    let tip = try await world.git.revParse(worker.branch, repo: worker.project.path)
    switch try await Merger.gate(worker, world: world, sandbox: manifest.commandSandbox(for: worker.project)).run(on: tip) {
    case .passed(let commands): return commands.map { "gate `\($0)` passed on \(worker.branch)" }
    case .failed(let command, let status, let excerpt):
      try await gateFailed(worker, command: command, status: status, excerpt: excerpt, on: worker.branch, queue: nil)
    }
  }

  /// A failing gate: the worker is told the first failure, the bead stays
  /// open, and `wt done` fails with the same text.
  func gateFailed(
    _ worker: WorkerRef, command: [String], status: Int32, excerpt: String, on what: String, queue: MergeQueue?
  ) async throws -> Never {
    let shown = command.joined(separator: " ")
    if let signal = GateInterrupted.signal(status: status) {
      // The person stopped it (Ctrl-C, a closed terminal): the gate did
      // not fail, so the agent is told nothing, and nothing stays queued.
      try? queue?.remove(worker)
      throw GateInterrupted(command: shown, signal: signal)
    }
    let why = "gate `\(shown)` failed (exit \(status)) on \(what)"
    let first = Gate.headline(excerpt)
    try queue?.set(worker, .failed, reason: "\(why): \(first)")
    let told = try await followUp(
      worker, status: "\(why): \(first)",
      prompt: """
        wt did not finish your branch \(worker.branch): the gate `\(shown)` failed (exit \(status)) on \(what). The first failure:
        \(excerpt)
        Fix it on your branch (git merge \(worker.project.base) first if it moved), commit, and run `wt done` again.
        """)
    // The first line carries the first failure (the worker's status shows
    // that line); the excerpt follows once, in the follow-up when it is
    // printed to the agent itself, else here.
    let said = first.isEmpty ? why : "\(why): \(first)"
    throw LifecycleError("\(said); nothing was merged and the bead stays open. \(told)" + (insideWorker ? "" : "\n\(excerpt)"))
  }

  func pullRequest(_ worker: WorkerRef, title: String, body: String) async throws -> String {
    let sandboxed = world.sandboxed(project: worker.project.name, bead: worker.bead) != nil
    try await world.git.push(worker.branch, from: worker.worktree, hooks: !sandboxed)
    return try await GitHub(runner: world.runner).createPullRequest(
      title: title, body: body, base: worker.project.base, head: worker.branch, in: worker.worktree)
  }

  /// Records the pull request in the worker's record (a second `wt done`
  /// keeps the rounds already sent) and, for `pr-auto`, asks GitHub to
  /// merge it once it may; a refusal is said once and the pull request is
  /// followed as with `pr`.
  func followPullRequest(_ worker: WorkerRef, url: String) async throws -> [String] {
    guard let address = GitHub.PullRequestAddress(url: url) else {
      throw LifecycleError("gh printed '\(InertLine.of(url))', which is not a pull request URL; the bead stays open")
    }
    var said: [String] = []
    var autoMerge: String?
    let previous = try world.store.load().workers[worker.name]?.pullRequest
    if worker.project.onDone == .prAuto, previous?.autoMerge == nil {
      let method = worker.project.pr.mergeMethod.rawValue
      do {
        try await GitHub(runner: world.runner).enableAutoMerge(url: url, method: method, in: worker.worktree)
        autoMerge = "enabled"
        said.append("auto-merge (\(method)) enabled: GitHub merges it once its checks and reviews allow")
      } catch {
        autoMerge = "refused: \(error)"
        said.append("GitHub refused auto-merge (\(error)); falling back to on_done: pr: a person merges it")
      }
    }
    try world.store.update { state in
      var r = worker.record(in: state)
      var pr = r.pullRequest?.number == address.number ? r.pullRequest! : PullRequestRecord(number: address.number, url: url)
      pr.url = url
      if let autoMerge { pr.autoMerge = autoMerge }
      r.pullRequest = pr
      r.retained = nil
      state.workers[worker.name] = r
    }
    let message = "pull request #\(address.number) open (\(url)): wt follows it until it merges"
    try signal(worker, status: .idle, message: message)
    world.store.record(.followUp(status: message), worker: worker.name)
    said.append("wt follows pull request #\(address.number): CI failures and reviews come back to this worker; \(worker.bead) closes when it merges")
    return said
  }

  func signal(_ worker: WorkerRef, status: WorkerState, message: String) throws {
    guard let transition = try? StatusSignal(store: world.store).record(worker: worker.name, event: .declared(status, message))
    else { return }
    Notifier(environment: world.environment).notify(transition)
  }
}

/// A gate that ended by SIGINT, SIGHUP or SIGTERM: stopped, not failed.
public struct GateInterrupted: Error, CustomStringConvertible, Sendable {
  public var command: String
  public var signal: Int32
  public var description: String {
    "the gate `\(command)` was interrupted (signal \(signal)); nothing was merged and the worker was told nothing. Run 'wt done' again to finish"
  }

  /// The signal behind a gate's status (128 + signal, as shells and
  /// `ProcessRunner` report one), if it is one a person sends.
  static func signal(status: Int32) -> Int32? {
    [SIGINT, SIGHUP, SIGTERM].first { status == 128 + $0 }
  }
}
