import Foundation
import Testing

extension EndToEnd {
  /// What a worker hears when its merge cannot go in: the conflicting files
  /// or the gate's first failure, as a follow-up prompt to its agent.
  @Suite(.timeLimit(.minutes(5))) struct MergeFeedbackTests {
    /// A conflict: the agent is prompted with the file, the bead stays open
    /// and main does not move; after the worker merges main and resolves,
    /// the next `wt done` merges.
    @Test func aConflictPromptsTheWorkerAndTheNextDoneMerges() async throws {
      let p = try Playground()
      let id = try p.bead("Conflict")
      #expect(try await p.awaited("apply", "--yes").status == 0)
      try p.commit("README.md", "worker's line\n", in: p.worktree(id))
      try p.commit("README.md", "person's line\n", in: p.repo)
      let head = try p.git("rev-parse", "main")
      let done = try await p.awaited("done", id)
      #expect(done.status == 1)
      #expect(done.stderr.contains("wt/\(id) conflicts with main in README.md; nothing was merged and the bead stays open"))
      #expect(done.stderr.contains("The worker was sent a follow-up prompt."))
      #expect(try p.git("rev-parse", "main") == head)
      #expect(try p.git("status", "--porcelain").isEmpty)
      #expect(try p.show(id)["status"] as? String == "in_progress")
      let followUp = p.prompts().last ?? ""
      #expect(followUp.contains("these files conflict with main:\n- README.md"))
      let rows = p.rows(try await p.awaited("status", "--json").stdout)
      #expect(rows.first?["status"] as? String != "needs-input")
      #expect(try p.queue().map { $0["phase"] as? String } == ["failed"])

      #expect(try p.sh(["git", "merge", "main"], in: p.worktree(id), check: false).status == 1)
      try "both lines\n".write(toFile: "\(p.worktree(id))/README.md", atomically: true, encoding: .utf8)
      _ = try p.git("commit", "-qam", "resolve", in: p.worktree(id))
      let again = try await p.awaited("done", id)
      #expect(again.status == 0, "\(again.stderr)")
      #expect(try p.git("show", "main:README.md") == "both lines\n")
      #expect(try p.show(id)["status"] as? String == "closed")
      #expect(try p.queue().isEmpty)
    }

    /// Two branches that each pass the gate alone but break it together:
    /// the first merges, the second does not, and its agent is told the
    /// gate's first failing line, not the tail of the output.
    @Test func twoBranchesThatPassAloneButFailTogether() async throws {
      let gate = #"[[sh, -c, "echo checking; if test -e a.txt && test -e b.txt; then echo 'error: a.txt and b.txt clash' >&2; echo 'cleanup done'; exit 1; fi"]]"#
      let p = try Playground(workers: 2, gate: gate)
      let a = try p.bead("A", priority: 1), b = try p.bead("B", priority: 2)
      #expect(try await p.awaited("apply", "--yes").status == 0)
      try p.commit("a.txt", "a\n", in: p.worktree(a))
      try p.commit("b.txt", "b\n", in: p.worktree(b))
      for id in [a, b] {
        #expect(try p.sh(["sh", "-c", "! test -e a.txt || ! test -e b.txt"], in: p.worktree(id), check: false).status == 0)
      }
      let first = try await p.awaited("done", a)
      #expect(first.status == 0, "\(first.stderr)")
      #expect(first.stdout.contains("gate `sh -c"))
      let head = try p.git("rev-parse", "main")
      let second = try await p.awaited("done", b)
      #expect(second.status == 1)
      #expect(second.stderr.contains("failed (exit 1) on wt/\(b) merged with main: error: a.txt and b.txt clash; nothing was merged and the bead stays open"), "\(second.stderr)")
      #expect(try p.git("rev-parse", "main") == head)
      #expect(!p.exists("\(p.repo)/b.txt"))
      #expect(try p.show(b)["status"] as? String == "in_progress")
      let followUp = p.prompts().last ?? ""
      #expect(followUp.contains("The first failure:\nerror: a.txt and b.txt clash"))
      #expect(followUp.contains("wt did not finish your branch wt/\(b): the gate `sh -c"))
    }

    /// A real pytest as the gate: the queue names its first failure (not
    /// its banner, not a progress line that holds "errors" in a file
    /// name), and `wt abandon` takes the failed row away with the worker.
    @Test func theQueueNamesPytestsFailureAndAbandonClearsIt() async throws {
      let p = try Playground(gate: "[[python3, -m, pytest, -p, no:cacheprovider]]")
      let id = try p.bead("Parse dates")
      #expect(try await p.awaited("apply", "--yes").status == 0)
      try p.commit("test_errors.py", "def test_error_is_raised():\n    assert True\n", in: p.worktree(id))
      try p.commit(
        "test_parse.py", "def parse(s):\n    return int(s)\n\n\ndef test_parse_date():\n    assert parse('2020') == 2021\n",
        in: p.worktree(id))
      let done = try await p.awaited("done", id)
      #expect(done.status == 1)
      let row = try #require(try p.queue().first)
      #expect(row["phase"] as? String == "failed")
      let reason = row["reason"] as? String ?? ""
      #expect(reason.hasSuffix(": FAILED test_parse.py::test_parse_date - AssertionError: assert 2020 == 2021"), "\(reason)")
      let text = try await p.awaited("queue").stdout
      #expect(text.contains("FAILED test_parse.py::test_parse_date") && !text.contains("test session starts"), "\(text)")
      let followUp = p.prompts().last ?? ""
      #expect(followUp.contains("The first failure:\n>       assert parse('2020') == 2021\nE       AssertionError"), "\(followUp)")

      let abandon = try await p.awaited("abandon", id)
      #expect(abandon.status == 0, "\(abandon.stderr)")
      #expect(try p.queue().isEmpty)
      #expect(try await p.awaited("queue").stdout == "The merge queue is empty.\n")
    }

    /// A failing gate when the agent is gone: the worker needs a person.
    @Test func aFailingGateWithTheAgentGoneNeedsAPerson() async throws {
      let p = try Playground(gate: "[[git, rev-parse, --verify, no-such-ref]]")
      let id = try p.bead("Gated")
      #expect(try await p.awaited("apply", "--yes").status == 0)
      try p.commit("x.txt", "x\n", in: p.worktree(id))
      _ = try p.sh(["tmux", "-L", p.socket, "kill-server"], check: false)
      let done = try await p.awaited("done", id)
      #expect(done.status == 1)
      #expect(done.stderr.contains("gate `git rev-parse --verify no-such-ref` failed (exit 128) on wt/\(id) merged with main"))
      #expect(done.stderr.contains("The worker needs a person: its agent is gone."))
      #expect(done.stderr.contains("fatal: Needed a single revision"))
      let state = p.json(try String(contentsOfFile: "\(p.dir)/state/state.json", encoding: .utf8)) as? [String: Any]
      let record = (state?["workers"] as? [String: Any])?["demo/\(id)"] as? [String: Any]
      #expect(record?["status"] as? String == "needs-input")
      #expect((record?["statusMessage"] as? String)?.hasSuffix("failed (exit 128) on wt/\(id) merged with main: fatal: Needed a single revision") == true)
      #expect(try p.git("log", "--format=%s", "main").contains("add x.txt") == false)
    }

    /// The agent's own `wt done` fails on the gate: it reads why and works
    /// on (`working`, with the failure), and if its turn then ends without
    /// the bead done, the worker needs a person, with the reason; never
    /// `idle` with no word.
    @Test func anAgentsOwnFailedDoneThenTheEndOfItsTurnNeedsAPerson() async throws {
      let p = try Playground(gate: #"[[sh, -c, "echo 'E   ModuleNotFoundError: No module named pytest' >&2; exit 4"]]"#)
      let id = try p.bead("Gated")
      #expect(try await p.awaited("apply", "--yes").status == 0)
      try p.commit("x.txt", "x\n", in: p.worktree(id))
      let name = "demo/\(id)"
      // As the agent runs it: in its worktree, with $WT_WORKER.
      let done = try p.sh(["env", "WT_WORKER=\(name)", CLITests.binary, "done"], in: p.worktree(id), check: false)
      #expect(done.status == 1)
      #expect(done.stderr.contains("What to do:"), "\(done.stderr)")
      func row() throws -> [String: Any]? {
        (try p.rows("status", "--json")).first { $0["name"] as? String == name }
      }
      let working = try #require(try row())
      #expect(working["status"] as? String == "working")
      #expect((working["message"] as? String)?.hasPrefix("'wt done' failed: gate `sh -c") == true, "\(working)")
      // Claude Code's PostToolUse for that very command changes nothing.
      #expect(try p.wt("signal", "tool-used", in: p.worktree(id)).status == 0)
      #expect(try row()?["status"] as? String == "working")
      // The turn ends (Stop) with the bead still open.
      #expect(try p.wt("signal", "stop", in: p.worktree(id)).status == 0)
      let asking = try #require(try row())
      #expect(asking["status"] as? String == "needs-input")
      let message = asking["message"] as? String ?? ""
      #expect(message.hasPrefix("the agent ended its turn after 'wt done' failed: gate `sh -c"), "\(message)")
      #expect(message.contains("failed (exit 4) on wt/\(id) merged with main"))
      #expect(!message.contains("What to do"))
      #expect(try p.wt("status", "--attention").stdout == "wt: 1 needs you\n")
      #expect(try p.show(id)["status"] as? String == "in_progress")
    }
  }
}
