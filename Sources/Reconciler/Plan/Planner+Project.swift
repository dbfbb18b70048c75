import Manifest

/// One project's plan, in three concerns and this order (the order of
/// the plan's changes): the workers that run, the beads wt holds without
/// a worker (held merges, claims, records of workers that are gone), then
/// free slots filled with ready beads.
extension Planner {
  /// What one project's planning has observed and settled so far.
  struct ProjectPass {
    let project: Project
    let world: Observed.ProjectWorld
    let unclosed: [String: Bead]
    let worktreePaths: Set<String>
    /// Live workers that stay, counted against the project's `workers`.
    var kept = 0
    /// Beads an earlier step settled; later steps leave them alone.
    var busy = Set<String>()

    init(_ project: Project, _ world: Observed.ProjectWorld) {
      self.project = project
      self.world = world
      unclosed = Dictionary(world.unclosed.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
      worktreePaths = Set(world.worktrees.map(\.path))
    }
  }

  mutating func planProject(_ project: Project, panes: [Pane]) {
    guard let world = observed.projects[project.name] else { return }
    if let error = world.error {
      result.notes.append(.init(project: project.name, text: "not observed, left alone: \(error)"))
      return
    }
    var pass = ProjectPass(project, refuseForeignIDs(world, project: project))
    for pane in panes.sorted(by: { $0.bead < $1.bead }) { planLiveWorker(pane, &pass) }
    let free = planHeldBeads(&pass)
    planGoneWorkers(&pass)
    fill(project, free: free, busy: pass.busy, world: pass.world)
  }

  /// A worker whose session runs: left alone while it is merged, torn
  /// down when its bead closed (or, with `--prune`, is no longer
  /// selected), else kept and mended: its worktree recreated, its agent
  /// restarted within the failure budget, a held merge retried, its
  /// prompt delivered.
  mutating func planLiveWorker(_ pane: Pane, _ pass: inout ProjectPass) {
    let project = pass.project
    pass.busy.insert(pane.bead)
    let record = observed.state.workers[WorkerNaming.name(project: project.name, bead: pane.bead)]
    if merging(project, pane.bead) {
      pass.kept += 1
      noteMerging(project, pane.bead)
      return
    }
    guard let bead = pass.unclosed[pane.bead] else {
      add(.teardown(releaseBead: false), project, beadID: pane.bead, title: "",
          reasons: ["bead \(pane.bead) is closed"])
      globalWorkers -= 1
      return
    }
    if !selected(bead, in: project) {
      if options.prune {
        add(.teardown(releaseBead: true), project, bead: bead,
            reasons: ["bead \(bead.id) is no longer selected by wt.yaml (--prune)"])
        globalWorkers -= 1
        return
      }
      result.notes.append(.init(project: project.name, text: "drift: \(bead.id) is no longer selected; its worker stays until the bead closes (or run with --prune)"))
    }
    if pausesItsAccount(record) {
      // Paused until its account's reset, it gives its slot to a worker
      // on another account or agent (issue 23: they carry on).
      globalWorkers -= 1
    } else {
      pass.kept += 1
      running.append((project, pane, bead))
    }
    if !pass.worktreePaths.contains(pane.worktree) {
      add(.recreate, project, bead: bead,
          reasons: ["its worktree \(pane.worktree) is gone; recreate it from branch \(record?.branch ?? WorkerNaming.branch(bead: bead.id))"])
    } else if pane.dead {
      planRestart(project, bead: bead, record: record)
    } else if retriesHeldMerge(project, bead: bead) {
      return
    } else if let record, let limit = record.limit, record.status == .limited {
      planLimited(project, bead: bead, record: record, limit: limit)
    } else if let record, record.prompt != .delivered {
      add(.deliverPrompt, project, bead: bead,
          reasons: [record.prompt == .sent ? "prompt sent but not confirmed; check, then retry" : "prompt not yet delivered"])
    }
  }

  /// An agent that exited is started again, resuming its session when
  /// the agent can, until the failure budget is spent.
  mutating func planRestart(_ project: Project, bead: Bead, record: WorkerRecord?) {
    let restarts = record?.restarts ?? 0
    if restarts >= options.failureBudget {
      result.notes.append(.init(project: project.name, text: "stuck: the agent of \(bead.id) exited \(restarts) times; look at it with 'wt attach', then 'wt abandon \(bead.id)'"))
      return
    }
    let resume = manifest.agents[record?.agent ?? project.agent].flatMap { $0.resume.isEmpty ? nil : record?.sessionId }
      .flatMap { SessionID.isValid($0) ? $0 : nil }
    add(.restartAgent(resumeSession: resume), project, bead: bead,
        reasons: ["the agent exited" + (resume.map { "; resume session \($0)" } ?? "; start it afresh")])
  }

  /// Beads wt holds with no worker: a held merge (a person's `wt done`)
  /// is retried or waits; a claim is adopted into a free slot or let go.
  /// Returns the slots left free.
  mutating func planHeldBeads(_ pass: inout ProjectPass) -> Int {
    let project = pass.project
    for bead in pass.world.unclosed.sorted(by: order) where !pass.busy.contains(bead.id) {
      if retriesHeldMerge(project, bead: bead) || heldMerge(project, bead.id) != nil { pass.busy.insert(bead.id) }
    }
    var adoptable: [Bead] = []
    for bead in pass.world.unclosed.sorted(by: order) where isWtClaim(bead) && !pass.busy.contains(bead.id) {
      pass.busy.insert(bead.id)
      if merging(project, bead.id) { noteMerging(project, bead.id) } else { adoptable.append(bead) }
    }
    var free = freeSlots(project, kept: pass.kept)
    if let foreign = project.foreign, foreign.needsTrust {
      // Nothing new starts on the say-so of an untrusted repository file;
      // beads already claimed go back rather than sit claimed.
      result.notes.append(.init(project: project.name, text: foreign.refusal))
      for bead in adoptable {
        add(.teardown(releaseBead: true), project, bead: bead,
            reasons: ["bead \(bead.id) is claimed by \(options.actor), but \(foreign.path) is not trusted; release it"])
      }
      return 0
    }
    for bead in adoptable {
      let failures = observed.state.workers[WorkerNaming.name(project: project.name, bead: bead.id)]?.startFailures ?? 0
      if failures >= options.failureBudget {
        add(.teardown(releaseBead: true), project, bead: bead,
            reasons: ["bead \(bead.id) is claimed by \(options.actor) but its worker failed to start \(failures) times; release it"])
      } else if let reason = observed.spentBudget(manifest, project: project, bead: bead.id) {
        // An adoption is a start too: it waits, the claim kept.
        wait(project, bead, .budget, reason)
      } else if free > 0, case .paused(let reason, let until) = chooseAccount(project, agent: agent(of: bead, in: project)) {
        // Its claim stays: adopted once the account is free again.
        wait(project, bead, .accountLimited, reason, until: until)
      } else if free > 0, case .free(let account, let accountReason) = chooseAccount(project, agent: agent(of: bead, in: project)) {
        add(.start(adopt: true), project, bead: bead,
            reasons: ["bead \(bead.id) is claimed by \(options.actor) but has no worker; adopt it" + (pass.worktreePaths.contains(worktreePath(project, bead.id)) ? " in its existing worktree" : "")]
              + (accountReason.map { [$0] } ?? []), account: account)
        free -= 1
        globalWorkers += 1
        starting += 1
      } else {
        add(.teardown(releaseBead: true), project, bead: bead,
            reasons: ["bead \(bead.id) is claimed by \(options.actor) but has no worker and no slot is free; release it"])
      }
    }
    return free
  }

  /// Records of workers that are gone, whose bead is closed or no longer
  /// ours, but whose worktree is still there: finish their teardown.
  mutating func planGoneWorkers(_ pass: inout ProjectPass) {
    let project = pass.project
    for record in observed.state.workers.values.sorted(by: { $0.name < $1.name })
    where record.project == project.name && !pass.busy.contains(record.bead) {
      if merging(project, record.bead) { continue }
      if let reason = record.retained {
        // Not busy: if the bead is ready again, a new worker picks the
        // kept worktree up where it was left.
        result.notes.append(.init(project: project.name, text: "kept \(record.worktree): \(reason)"))
      } else if pass.worktreePaths.contains(record.worktree) && pass.unclosed[record.bead].map(isWtClaim) != true
        && pass.world.ready.contains(where: { $0.id == record.bead }) == false
      {
        add(.teardown(releaseBead: false), project, beadID: record.bead, title: pass.unclosed[record.bead]?.title ?? "",
            reasons: ["the worker of \(record.bead) is gone and its bead is no longer claimed; clean up"])
        pass.busy.insert(record.bead)
      }
    }
  }

  /// Free slots go to selected ready beads by priority, then age, then
  /// id, each past the failure budget, trust and admission.
  mutating func fill(_ project: Project, free: Int, busy: Set<String>, world: Observed.ProjectWorld) {
    var free = free
    let candidates = world.ready.filter { !busy.contains($0.id) && selected($0, in: project) }.sorted(by: order)
    for bead in candidates {
      let record = observed.state.workers[WorkerNaming.name(project: project.name, bead: bead.id)]
      if let failures = record?.startFailures, failures >= options.failureBudget {
        wait(project, bead, .failureBudget, "failed to start \(failures) times; see 'wt status', then 'wt new \(bead.id)' to try again")
        continue
      }
      if let reason = observed.spentBudget(manifest, project: project, bead: bead.id) {
        wait(project, bead, .budget, reason)
        continue
      }
      if let foreign = project.foreign, foreign.needsTrust {
        wait(project, bead, .untrusted, "\(foreign.path) is not trusted yet: read it, then 'wt trust \(foreign.path)'")
        continue
      }
      let choice = chooseAccount(project, agent: agent(of: bead, in: project))
      guard case .free(let account, let accountReason) = choice else {
        if case .paused(let reason, let until) = choice { wait(project, bead, .accountLimited, reason, until: until) }
        continue
      }
      guard free > 0 else {
        wait(project, bead, .noSlot, noSlotReason(project))
        continue
      }
      if let reason = admissionRefusal() {
        wait(project, bead, .admission, reason)
        continue
      }
      noteUncheckedAdmission(project)
      add(.start(adopt: false), project, bead: bead,
          reasons: ["ready and selected (P\(bead.priority) \(bead.type))"] + (accountReason.map { [$0] } ?? []),
          account: account)
      free -= 1
      globalWorkers += 1
      starting += 1
    }
  }
}
