import Foundation
import Manifest

/// Merges every waiting entry of one repository, run by whoever holds its
/// merge lock (a `wt done` or the loop). Entries are taken in ticket order
/// (or by bead priority when the manifest asks), `batch` at a time: each
/// branch is merged onto the result of the ones before it with
/// `merge-tree`/`commit-tree` (no checkout), and the batch's last commit is
/// gated once. Up to `parallel` batches are gated at once, each built on
/// the one before, as GitHub's merge queue speculates
/// (https://docs.github.com/en/repositories/configuring-branches-and-merges-in-your-repository/configuring-pull-request-merges/managing-a-merge-queue).
/// A green batch moves base to its gated commit by fast-forward or
/// compare-and-swap (`Git.advance`), one move, and its beads close; a red
/// one cancels every gate built on it and is searched for its first
/// breaking entry (`MergeTrain+Bisect`). Base only ever moves to a commit
/// that was gated, whole: a kill at any moment leaves it before or after a
/// batch, and the next merger finds the entries of a batch that landed
/// already in base.
struct MergeTrain: Sendable {
  var world: World
  var project: Project
  var batchSize: Int
  var parallel: Int
  var order: MergePolicy.Order
  /// How often a round may find base moved under it (someone committed)
  /// before the waiting entries are held.
  var attempts = 5

  /// The project's sandbox, which its gates run in.
  var sandbox: Sandbox

  init(world: World, project: Project, policy: MergePolicy, parallelCap: Int, sandbox: Sandbox = .off) {
    self.world = world
    self.project = project
    self.sandbox = sandbox
    (batchSize, parallel, order) = project.merge.filling(from: policy).resolved(parallelCap: parallelCap)
  }

  var queue: MergeQueue { MergeQueue(world: world) }

  /// Entries merged in order onto `premise`; `commits[i]` is the result
  /// up to and including `members[i]`, and `head` the last.
  struct Batch: Sendable {
    var id = String(UUID().uuidString.prefix(8)).lowercased()
    var premise: String
    var members: [MergeEntry] = []
    var commits: [String] = []
    var conflicts: [Conflict] = []
    var alreadyInBase: [MergeEntry] = []
    var head: String { commits.last ?? premise }
    /// Every entry it took, whatever became of it.
    var entries: [MergeEntry] { members + conflicts.map(\.entry) + alreadyInBase }
  }

  struct Conflict: Sendable {
    var entry: MergeEntry
    var files: [String]
  }

  /// Merges until nothing waits: entries queued meanwhile join the next
  /// round.
  func drain() async throws {
    try queue.requeueStale(project: project.name)
    endLeftoverGates()
    var moved = 0
    while true {
      let waiting = try queue.waiting(project: project.name, order: order)
      guard !waiting.isEmpty else { return }
      if try await round(waiting) { continue }
      moved += 1
      if moved >= attempts {
        let why = "\(project.base) kept moving while wt merged (\(attempts) tries); the loop merges it again"
        for entry in waiting { try queue.settle(entry, .held(why)) }
        return
      }
    }
  }

  /// `entries` cut into batches of `batchSize`, each built on the one
  /// before it from base's commit now; a failure gives them back.
  func batches(of entries: [MergeEntry]) async throws -> (base: String, batches: [Batch]) {
    var batches: [Batch] = []
    do {
      let base = try await world.git.revParse(project.base, repo: project.path)
      var rest = entries[...]
      while !rest.isEmpty {
        batches.append(try await build(Array(rest.prefix(batchSize)), on: batches.last?.head ?? base, base: base))
        rest = rest.dropFirst(batchSize)
      }
      return (base, batches)
    } catch {
      try? queue.requeue(entries)
      throw error
    }
  }

  /// One round: up to `parallel` batches built and gated at once, landed
  /// in order. False when base moved under it (the round is done again).
  func round(_ waiting: [MergeEntry]) async throws -> Bool {
    let entries = try queue.claim(Array(waiting.prefix(batchSize * parallel)))
    if let busy = try await Merger(world: world).busyCheckout(project) {
      for entry in entries { try queue.settle(entry, .held(busy)) }
      return true
    }
    let (base, batches) = try await batches(of: entries)
    for batch in batches { try queue.markGating(batch.members, batch: batch.id) }
    let gates: [Task<Gate.Result, any Error>?] = batches.enumerated().map { slot, batch in
      let gate = self.gate(slot: slot)
      return batch.members.isEmpty ? nil : Task { try await gate.run(on: batch.head) }
    }
    var current = base
    do {
      for (index, batch) in batches.enumerated() {
        // Its premise holds (every batch before it landed): its conflicts
        // and what base already has are final.
        try settleUnmerged(batch)
        guard let gate = gates[index] else { continue }
        switch try await gate.value {
        case .passed(let gated):
          switch try await land(batch, count: batch.members.count, from: current, gated: gated) {
          case .landed: current = batch.head
          case .baseMoved:
            await Self.cancel(gates[(index + 1)...])
            try queue.requeue(batches[index...].flatMap(\.entries))
            return false
          case .held(let why):
            await Self.cancel(gates[(index + 1)...])
            for entry in batch.members { try queue.settle(entry, .held(why)) }
            try queue.requeue(batches[(index + 1)...].flatMap(\.entries))
            return true
          }
        case .failed(let command, let status, let excerpt):
          // Every later batch was built on this one: its premise failed.
          await Self.cancel(gates[(index + 1)...])
          try queue.requeue(batches[(index + 1)...].flatMap(\.entries))
          let failure = Failure(command: command, status: status, excerpt: excerpt)
          try await search(batch, from: current, failure: failure)
          return true
        }
      }
    } catch {
      await Self.cancel(gates[...])
      try? queue.requeue(entries)
      throw error
    }
    return true
  }

  /// Merges `entries` in order onto `premise`. An entry whose tip base
  /// already holds (a merger killed after moving base) or whose merge
  /// changes nothing on base is already in base; a conflicting one is set
  /// aside and the batch goes on.
  func build(_ entries: [MergeEntry], on premise: String, base: String) async throws -> Batch {
    let git = world.git, repo = project.path
    var batch = Batch(premise: premise)
    var headTree = try await git.revParse(premise, repo: repo, tree: true)
    for entry in entries {
      let tip: String
      if let recorded = entry.tip { tip = recorded } else { tip = try await git.revParse(entry.branch, repo: repo) }
      if try await git.isAncestor(tip, of: base, repo: repo) {
        batch.alreadyInBase.append(entry)
        continue
      }
      switch try await git.mergeTree(base: batch.head, branch: tip, repo: repo) {
      case .conflict(let files):
        batch.conflicts.append(Conflict(entry: entry, files: files))
      case .clean(let tree) where tree == headTree && batch.head == base:
        batch.alreadyInBase.append(entry)
      case .clean(let tree):
        // Each merge commit names its branch and bead; one that changes
        // nothing beyond the ones before rides on their commit.
        let commit =
          tree == headTree
          ? batch.head
          : try await git.commitTree(
            tree, parents: [batch.head, tip], message: "Merge \(entry.branch) (\(entry.bead)) by wt", repo: repo)
        headTree = tree
        batch.members.append(entry)
        batch.commits.append(commit)
      }
    }
    return batch
  }

  func settleUnmerged(_ batch: Batch) throws {
    for conflict in batch.conflicts { try queue.settle(conflict.entry, .conflict(files: conflict.files)) }
    for entry in batch.alreadyInBase { try queue.settle(entry, .alreadyInBase) }
  }

  enum Landing { case landed, baseMoved, held(String) }

  /// Moves base from `current` to the commit of the batch's first `count`
  /// members (gated), closes their beads (base has their work now), then
  /// tells their `wt done`s.
  func land(_ batch: Batch, count: Int, from current: String, gated: [String]) async throws -> Landing {
    guard count > 0 else { return .landed }
    let members = Array(batch.members.prefix(count)), commit = batch.commits[count - 1]
    if let busy = try await Merger(world: world).busyCheckout(project) { return .held(busy) }
    switch try await world.git.advance(base: project.base, from: current, to: commit, repo: project.path, hooks: !sandbox.isOn) {
    case .baseMoved: return .baseMoved
    case .localChanges(let checkout, let files):
      return .held(
        "\(checkout) has uncommitted changes to \(files.joined(separator: ", ")), which the merge changes; git refused to fast-forward and nothing of yours was touched. Commit or move those changes; the loop merges it then (or run 'wt done' again).")
    case .moved(let how):
      // Every bead at once: their `wt done`s wait for the last.
      let (tracker, base, repo) = (world.tracker, project.base, project.path)
      try await world.guardingBeads {
        try await withThrowingTaskGroup(of: Void.self) { group in
          for entry in members {
            group.addTask {
              try await tracker.close(entry.bead, reason: "Done: merged \(entry.branch) into \(base) by wt", in: repo)
            }
          }
          try await group.waitForAll()
        }
      }
      for entry in members { try queue.settle(entry, .merged(commit: commit, how: how, gated: gated)) }
      return .landed
    }
  }

  /// The worktree of gate slot `slot`: one per gate running at once.
  func gate(slot: Int) -> Gate {
    Gate(
      world: world, project: project, directory: "\(world.store.directory)/gates/\(project.name)-slot\(slot)",
      cache: project.gateCache, sandbox: sandbox)
  }

  /// The gates a merger killed (-9) left running: holding the lock, no
  /// other merger of the repository runs, so every slot's recorded group
  /// is a leftover.
  func endLeftoverGates() {
    let directory = "\(world.store.directory)/gates"
    let files = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
    for file in files where file.hasPrefix("\(project.name)-slot") && file.hasSuffix(".pgid") {
      ProcessGroups.endLeftover("\(directory)/\(file)")
    }
  }

  /// Cancels gates whose premise failed and waits until each has ended its
  /// processes and removed its worktree.
  static func cancel(_ gates: ArraySlice<Task<Gate.Result, any Error>?>) async {
    for gate in gates { gate?.cancel() }
    for gate in gates { _ = try? await gate?.value }
  }
}
