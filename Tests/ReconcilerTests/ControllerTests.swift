import Foundation
import Manifest
import Testing
@testable import Reconciler

/// The loop without the binary: `Controller.pass` and `run` on a private
/// world (real git and tmux, the bd double, the scripted agent).
@Suite(.serialized, .timeLimit(.minutes(2))) struct ControllerTests {
  /// Collects what the loop says, for a test to wait on.
  final class Events: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [LoopEvent] = []
    func add(_ e: LoopEvent) { lock.withLock { items.append(e) } }
    var all: [LoopEvent] { lock.withLock { items } }
    var reports: [PassReport] { all.compactMap { if case .passed(let r) = $0 { r } else { nil } } }
    var failures: [(String, Duration)] { all.compactMap { if case .passFailed(let w, let r) = $0 { (w, r) } else { nil } } }

    /// Waits until `done` holds, up to a deadline (no fixed sleep).
    func wait(_ what: String, timeout: Duration = .seconds(60), until done: () -> Bool) async throws {
      let end = ContinuousClock.now + timeout
      while !done() {
        guard ContinuousClock.now < end else { throw TestFailure("timed out waiting for \(what); events: \(all)") }
        try await Task.sleep(for: .milliseconds(50))
      }
    }
  }

  func controller(_ w: TestWorld) -> Controller {
    Controller(environment: w.environment, options: PlanOptions())
  }

  @Test func aPassReportsWhatItPlannedAndDidAndTheNextHasNothingToDo() async throws {
    let w = try await TestWorld()
    let a = try await w.createBead("First")
    let manifest = try w.manifest()
    let shown = Events()
    let report = try await controller(w).pass(manifest, hosts: false, asking: false) { preview in
      shown.add(.planned(preview))
      return true
    }
    #expect(shown.all.count == 1)
    #expect(report.approved)
    #expect(report.plan.changes.map(\.bead) == [a])
    #expect(report.steps.map(\.outcome) == [.done("prompt delivered to wt-demo__\(a)")])
    #expect(!report.failed)
    #expect(try await w.bead(a)?.status == .inProgress)
    let again = try await controller(w).pass(manifest, hosts: false, asking: false) { _ in true }
    #expect(again.plan.isEmpty)
    #expect(again.steps.isEmpty)
    #expect(w.prompts().count == 1)
  }

  @Test func aPlanThePersonRefusesChangesNothing() async throws {
    let w = try await TestWorld()
    let a = try await w.createBead("First")
    let report = try await controller(w).pass(try w.manifest(), hosts: false, asking: true) { _ in false }
    #expect(!report.approved)
    #expect(report.plan.changes.map(\.bead) == [a])
    #expect(report.steps.isEmpty)
    #expect(try await w.panes().isEmpty)
    #expect(try await w.bead(a)?.status == .open)
  }

  @Test func theLoopTearsDownAFinishedWorkerAndStartsTheNextOnTheEvent() async throws {
    let w = try await TestWorld()
    let a = try await w.createBead("First", priority: 1)
    let b = try await w.createBead("Second", priority: 2)
    let events = Events()
    // A long interval: only the event may wake the second pass.
    let loop = Task { [controller = controller(w), manifest = try w.manifest()] in
      await controller.run(manifest, interval: .seconds(3600), reload: { nil }) { events.add($0) }
    }
    defer { loop.cancel() }
    try await events.wait("the first worker") { events.reports.contains { $0.steps.contains { $0.worker == "demo/\(a)" } } }
    try await w.bd("close", a, "--reason", "done")
    // What a hook does when a worker finishes: an event in the history.
    try w.world.store.record(.signal(status: .done, by: "done", message: nil, session: nil), worker: "demo/\(a)")
    try await events.wait("the next bead") { events.reports.contains { $0.steps.contains { $0.worker == "demo/\(b)" } } }
    let last = try #require(events.reports.last { $0.steps.contains { $0.worker == "demo/\(b)" } })
    #expect(last.plan.changes.map { "\($0.action.rawValue)\($0.bead)" } == ["-\(a)", "+\(b)"])
    #expect(try await w.panes().map(\.bead) == [b])
  }

  @Test func aPassThatCannotRunIsSaidAndRetriedLaterEachTime() async throws {
    let w = try await TestWorld()
    // A state folder that is a file: every pass fails before it plans.
    try "not a folder".write(toFile: w.stateDir, atomically: true, encoding: .utf8)
    let events = Events()
    let loop = Task { [controller = controller(w), manifest = try w.manifest()] in
      await controller.run(manifest, interval: .milliseconds(100), reload: { nil }) { events.add($0) }
    }
    defer { loop.cancel() }
    try await events.wait("three failed passes") { events.failures.count >= 3 }
    #expect(events.failures.prefix(3).map(\.1) == [.milliseconds(200), .milliseconds(400), .milliseconds(800)])
    #expect(events.reports.isEmpty)
  }

  /// A host added to wt.yaml while the loop runs is reached once the edit
  /// is loaded (it was never contacted until the loop was started again).
  @Test func aHostAddedWhileTheLoopRunsIsReached() async throws {
    let w = try await TestWorld()
    let events = Events()
    let loop = Task { [controller = controller(w), manifest = try w.manifest()] in
      await controller.run(manifest, interval: .milliseconds(500), reload: { try? w.manifest() }) { events.add($0) }
    }
    defer { loop.cancel() }
    try await events.wait("a first pass") { !events.reports.isEmpty }
    let text = try String(contentsOfFile: w.manifestFile, encoding: .utf8).replacingOccurrences(
      of: "projects:\n",
      with: "hosts:\n  box: {ssh: nobody@127.0.0.1, port: 1, timeout: 3}\nprojects:\n  far: {host: box, path: /srv/far}\n")
    try text.write(toFile: w.manifestFile, atomically: true, encoding: .utf8)
    try await events.wait("the new host") {
      events.all.contains { if case .hostProblem(let host, _, _) = $0 { host.name == "box" } else { false } }
    }
  }

  @Test func theLoopComesBackSoonForWhatMayChangeByItself() {
    let admission = Plan.Waiting(
      cause: .admission, project: "demo", bead: "demo-1", title: "t", priority: 1, reason: "admission: load")
    let noSlot = Plan.Waiting(cause: .noSlot, project: "demo", bead: "demo-2", title: "t", priority: 1, reason: "no free slot")
    func report(_ waiting: [Plan.Waiting], steps: [StepReport] = []) -> PassReport {
      PassReport(
        preview: PassPreview(plan: Plan(waiting: waiting), includesLocal: true, hosts: []), approved: true, steps: steps,
        hosts: [], requeue: [])
    }
    #expect(Controller.requeue(after: report([noSlot]), observed: nil).isEmpty)
    let waits = Controller.requeue(after: report([admission, noSlot]), observed: nil)
    #expect(waits.map(\.reason) == ["demo/demo-1 waits for the machine: admission: load"])
    var withRequeue = report([admission])
    withRequeue.requeue = waits
    #expect(Controller.wait(after: withRequeue, interval: .seconds(30)) == .seconds(15))
    #expect(Controller.wait(after: withRequeue, interval: .seconds(5)) == .seconds(5))
    let failed = StepReport(worker: "demo/demo-1", action: .create, outcome: .failed("no"))
    #expect(Controller.requeue(after: report([], steps: [failed]), observed: nil).map(\.after) == [.seconds(10)])
    #expect(Controller.backoff(3, interval: .seconds(60)) == .seconds(300))
  }

  /// An open pull request is looked at again when its look is due, not at
  /// the loop's steady interval; one that merged or closed is not.
  @Test func theLoopComesBackForAnOpenPullRequestWhenItsLookIsDue() {
    let now = Date(timeIntervalSince1970: 1_000_000)
    var state = State()
    for bead in ["demo-1", "demo-2"] {
      var record = WorkerRecord(name: "demo/\(bead)", project: "demo", bead: bead, branch: "wt/\(bead)", worktree: "/w/\(bead)", createdAt: now)
      record.pullRequest = PullRequestRecord(number: bead == "demo-1" ? 7 : 8, url: "https://github.com/o/r/pull/7")
      state.workers[record.name] = record
    }
    var observed = Observed(projects: [:], panes: [], state: state, machine: .init(cores: 1, load1: nil, memoryAvailable: nil), now: now)
    let open = PullRequestView(number: 7, url: "u", state: .open, headSHA: "a")
    observed.pullRequests = [
      "demo/demo-1": PullRequestObservation(view: open, nextLook: now.addingTimeInterval(15)),
      "demo/demo-2": PullRequestObservation(view: PullRequestView(number: 8, url: "u", state: .merged, headSHA: "b"), nextLook: now.addingTimeInterval(60)),
    ]
    let report = PassReport(
      preview: PassPreview(plan: Plan(), includesLocal: true, hosts: []), approved: true, steps: [], hosts: [], requeue: [])
    let requeue = Controller.requeue(after: report, observed: observed)
    #expect(requeue.map(\.after) == [.seconds(15)])
    #expect(requeue.map(\.reason) == ["look at pull request #7 of demo/demo-1 again"])
  }
}
