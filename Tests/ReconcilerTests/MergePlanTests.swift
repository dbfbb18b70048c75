import Foundation
import Presentation
import Testing
@testable import Manifest
@testable import Reconciler

/// The planner and the merge queue: a bead being merged is left alone;
/// one whose `wt done` died, or that failed, is not held back.
@Suite(.timeLimit(.minutes(2))) struct MergePlanTests {
  typealias T = PlanTests

  func entry(_ bead: String, _ phase: MergeEntry.Phase) -> MergeEntry {
    var e = MergeEntry(project: "api", bead: bead, worker: "api/\(bead)", branch: "wt/\(bead)", pid: 42, at: Date(timeIntervalSince1970: 0))
    e.phase = phase
    return e
  }

  func record(_ bead: String) -> WorkerRecord {
    var r = WorkerRecord(name: "api/\(bead)", project: "api", bead: bead, branch: "wt/\(bead)", worktree: "/wt/api/\(bead)", createdAt: Date(timeIntervalSince1970: 0))
    r.prompt = .pending
    return r
  }

  @Test func aBeadBeingMergedIsNeitherRestartedNorReleasedNorTornDown() {
    let claimed = T.bead("api-1", status: "in_progress", assignee: "wt")
    let gone = T.bead("api-2", status: "in_progress", assignee: "wt")
    let state = State(
      workers: ["api/api-1": record("api-1"), "api/api-2": record("api-2"), "api/api-3": record("api-3")],
      merges: ["api/api-1": entry("api-1", .gating), "api/api-2": entry("api-2", .waiting), "api/api-3": entry("api-3", .gating)])
    // api-1: agent dead, prompt pending; api-2: no worker, no slot; api-3:
    // its bead just closed, its session still up.
    let o = T.observed(
      unclosed: [claimed, gone], panes: [T.pane("api", "api-1", dead: true), T.pane("api", "api-3")], state: state)
    let p = plan(T.manifest([T.project(workers: 1)]), o)
    #expect(p.changes.isEmpty, "\(p.rendered())")
    // The same world without the queue: restart, teardown, release.
    var unqueued = o
    unqueued.state.merges = [:]
    #expect(Set(plan(T.manifest([T.project(workers: 1)]), unqueued).changes.map(\.bead)) == ["api-1", "api-2", "api-3"])
    #expect(p.notes.map(\.text) == [
      "api-1 is being merged ('wt queue'); left alone until wt done finishes",
      "api-3 is being merged ('wt queue'); left alone until wt done finishes",
      "api-2 is being merged ('wt queue'); left alone until wt done finishes",
    ])
  }

  @Test func heldFailedAndInterruptedMergesHoldNothingBack() {
    let claimed = T.bead("api-1", status: "in_progress", assignee: "wt")
    for phase in [MergeEntry.Phase.held, .failed, .interrupted] {
      let state = State(workers: ["api/api-1": record("api-1")], merges: ["api/api-1": entry("api-1", phase)])
      let o = T.observed(unclosed: [claimed], panes: [T.pane("api", "api-1", dead: true)], state: state)
      #expect(plan(T.manifest([T.project()]), o).changes.map(\.step) == [.restartAgent(resumeSession: nil)], "\(phase)")
    }
  }

  @Test func aHeldMergeIsRetriedOnceItsHoldIsOverAndSaidUntilThen() {
    let claimed = T.bead("api-1", status: "in_progress", assignee: "wt")
    var held = entry("api-1", .held)
    held.reason = "/repo has a merge in progress"
    var r = record("api-1")
    r.prompt = .delivered
    let state = State(workers: ["api/api-1": r], merges: ["api/api-1": held])
    for panes in [[T.pane("api", "api-1")], []] {
      var o = T.observed(unclosed: [claimed], panes: panes, state: state)
      let waiting = plan(T.manifest([T.project()]), o)
      #expect(waiting.changes.isEmpty, "\(waiting.rendered())")
      #expect(waiting.notes.map(\.text) == ["merge of wt/api-1 held: /repo has a merge in progress"])
      o.mergeHoldsCleared = ["api/api-1"]
      let retry = plan(T.manifest([T.project()]), o)
      #expect(retry.changes.map(\.step) == [.retryMerge])
      #expect(retry.changes.first?.reasons == ["its merge was held (/repo has a merge in progress); that is over: merge it"])
    }
  }

  @Test func aMergeWhoseWtDoneDiedIsInterrupted() {
    let state = State(merges: ["api/api-1": entry("api-1", .gating), "api/api-2": entry("api-2", .held)])
    let marked = state.markingInterruptedMerges { $0 != 42 }
    #expect(marked.merges["api/api-1"]?.phase == .interrupted)
    #expect(marked.merges["api/api-2"]?.phase == .held)
    #expect(state.markingInterruptedMerges { _ in true } == state)
  }

  @Test func stateFilesFromBeforeTheQueueStillLoad() throws {
    let old = #"{"workers": {}}"#
    let state = try StateStore.decoder.decode(State.self, from: Data(old.utf8))
    #expect(state.merges.isEmpty)
  }

  @Test func theGateReportsTheFirstFailureNotTheLastLines() {
    let output = "Compiling\nok 1 parses\nFAIL 2 merges: expected 3, got 4\n  at merge.swift:10\nok 3\nerror: 1 test failed\nDone."
    #expect(Gate.firstFailure(output, context: 2) == "FAIL 2 merges: expected 3, got 4\n  at merge.swift:10")
    #expect(Gate.firstFailure("just\nsome\noutput", context: 2) == "just\nsome")
  }

  /// Banners, progress lines and names that hold a marker are not
  /// failures; a CamelCase error name and go's `--- FAIL` are.
  @Test func bannersAndFileNamesAreNotFailures() {
    #expect(!Gate.isFailure("=================================== FAILURES ==================================="))
    #expect(!Gate.isFailure("tests/test_errors.py ......                                   [ 12%]"))
    #expect(!Gate.isFailure("plugins: rerunfailures-14.0, hypothesis-6.1"))
    #expect(!Gate.isFailure("    def test_error_handling():"))
    #expect(Gate.isFailure("E       ModuleNotFoundError: No module named 'yaml'"))
    #expect(Gate.isFailure("--- FAIL: TestMerge (0.00s)"))
    #expect(Gate.isFailure("thread 'main' panicked at src/lib.rs:5:9:"))
    #expect(Gate.isFailure("src/x.c:3:1: error: expected ';'"))
    let output = """
      ============================= test session starts ==============================
      collected 2 items

      test_errors.py .                                                         [ 50%]
      test_parse.py F                                                          [100%]

      =================================== FAILURES ===================================
      _______________________________ test_parse_date ________________________________

          def test_parse_date():
      >       assert parse('2020') == 2021
      E       AssertionError: assert 2020 == 2021

      test_parse.py:6: AssertionError
      =========================== short test summary info ============================
      FAILED test_parse.py::test_parse_date - AssertionError: assert 2020 == 2021
      ========================= 1 failed, 1 passed in 0.50s ==========================
      """
    let excerpt = Gate.firstFailure(output, context: 2)
    #expect(excerpt == """
      >       assert parse('2020') == 2021
      E       AssertionError: assert 2020 == 2021
      …
      FAILED test_parse.py::test_parse_date - AssertionError: assert 2020 == 2021
      """)
    #expect(Gate.headline(excerpt) == "FAILED test_parse.py::test_parse_date - AssertionError: assert 2020 == 2021")
    #expect(Gate.headline("==== x ====\n  fatal:   no  such ref") == "fatal: no such ref")
  }
}
