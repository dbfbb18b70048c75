#!/usr/bin/env python3
"""The merge queue under a burst: N workers on one repository run `wt done`
within one second; BAD of them break the gate (a stand-in test suite that
takes GATE seconds and logs each commit it checked). Each configuration of
`merge:` (batch 1 = one at a time, as before batches; batching; batching
with parallel speculative gates) is timed on the same burst.

Prints one table: wall time until every `wt done` finished (every good
entry merged and its bead closed, every bad one's worker told), gates run,
and checks: every commit main moved to was gated (main's reflog against
the gate's log), every good worker's commit is in main exactly once, no
bad one's is, every good bead closed, every bad one open.

Usage: scripts/bench-merge-queue.py [--workers 10,30] [--bad 0,1,3] [--gate 3]
                                    [--configs 1x1,8x1,8x2]
Needs a built wt (.build/release/wt, else .build/debug/wt, or $WT_BIN).
"""
import argparse, json, math, os, shutil, subprocess, sys, tempfile, time, uuid

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BD = os.path.join(ROOT, "Tests/Support/bd")


def wt_binary():
    if os.environ.get("WT_BIN"):
        return os.environ["WT_BIN"]
    for kind in ("release", "debug"):
        path = os.path.join(ROOT, ".build", kind, "wt")
        if os.path.exists(path):
            return path
    sys.exit("build wt first (swift build -c release)")


def run_case(wt, n, bad, gate_seconds, batch, parallel):
    tmp = tempfile.mkdtemp(prefix="wt-bench-merge-")
    repo = os.path.join(tmp, "repo")
    os.makedirs(repo)
    env = dict(os.environ, HOME=tmp, WT_STATE_DIR=os.path.join(tmp, "state"), WT_BD=BD,
               WT_TMUX_SOCKET="wt-bench-" + uuid.uuid4().hex[:10], WT_CONFIG=os.path.join(tmp, "wt.yaml"),
               GIT_AUTHOR_NAME="B", GIT_AUTHOR_EMAIL="b@b.invalid", GIT_COMMITTER_NAME="B",
               GIT_COMMITTER_EMAIL="b@b.invalid", NO_COLOR="1")

    def run(argv, cwd=repo):
        return subprocess.run(argv, cwd=cwd, env=env, check=True, capture_output=True, text=True).stdout

    try:
        run(["git", "init", "-q", "-b", "main"])
        with open(os.path.join(repo, ".gitignore"), "w") as f:
            f.write(".beads/\n")
        run(["git", "add", "-A"])
        run(["git", "commit", "-qm", "init"])
        run([BD, "init", "-p", "bench", "-q"])
        gate_log = os.path.join(tmp, "gated.log")
        gate = os.path.join(tmp, "gate.py")
        with open(gate, "w") as f:
            f.write("import glob, subprocess, sys, time\n"
                    "head = subprocess.check_output(['git', 'rev-parse', 'HEAD'], text=True).strip()\n"
                    "time.sleep(%r)\n"
                    "open(%r, 'a').write(head + '\\n')\n"
                    "bad = glob.glob('bad-*.txt')\n"
                    "if bad: print('error: %%s breaks the build' %% bad[0]); sys.exit(1)\n" % (gate_seconds, gate_log))
        with open(env["WT_CONFIG"], "w") as f:
            f.write("version: 1\nsettings:\n  worktree_root: %s/worktrees\n  merge: {batch: %d, parallel: %d}\n"
                    "projects:\n  bench:\n    path: repo\n    workers: %d\n    gate: [[%s, %s]]\n"
                    % (tmp, batch, parallel, n, sys.executable, gate))
        # The bad ones spread over the burst.
        bad_at = {int((k + 0.5) * n / bad) for k in range(bad)} if bad else set()
        beads = []
        for i in range(n):
            bead = run([BD, "create", "Worker %d" % i, "--silent"]).strip()
            tree = os.path.join(tmp, "worktrees", "bench", bead)
            run(["git", "worktree", "add", "-q", "-b", "wt/" + bead, tree, "main"])
            name = ("bad-%d.txt" if i in bad_at else "worker-%d.txt") % i
            with open(os.path.join(tree, name), "w") as f:
                f.write("work of %d\n" % i)
            run(["git", "add", "-A"], cwd=tree)
            run(["git", "commit", "-qm", "work %d" % i], cwd=tree)
            beads.append((bead, run(["git", "rev-parse", "HEAD"], cwd=tree).strip(), i in bad_at))

        start = time.time()
        procs = []
        for i, (bead, _, _) in enumerate(beads):
            if i:
                time.sleep(0.9 / max(n - 1, 1))  # all n within one second
            procs.append(subprocess.Popen([wt, "done", bead], cwd=repo, env=env, stdin=subprocess.DEVNULL,
                                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
        outputs = [p.communicate() for p in procs]
        wall = time.time() - start

        gated = open(gate_log).read().split() if os.path.exists(gate_log) else []
        moves = run(["git", "reflog", "show", "--format=%H", "main"]).split()[:-1]  # the last is the first commit
        in_main = run(["git", "rev-list", "main"]).split()
        closed = {b["id"] for b in json.loads(run([BD, "list", "--status", "closed", "--json", "-n", "0"]))}
        problems = []
        for move in moves:
            if move not in gated:
                problems.append("main moved to %s, never gated" % move[:10])
        for (bead, tip, is_bad), p, (out, err) in zip(beads, procs, outputs):
            if is_bad:
                if tip in in_main or bead in closed or p.returncode != 1:
                    problems.append("bad %s: merged=%s closed=%s exit=%d" % (bead, tip in in_main, bead in closed, p.returncode))
            elif in_main.count(tip) != 1 or bead not in closed or p.returncode != 0:
                problems.append("good %s: in main %d times, closed=%s, exit=%d: %s" % (
                    bead, in_main.count(tip), bead in closed, p.returncode, err.strip()[-300:]))
        if run(["git", "status", "--porcelain"]):
            problems.append("main checkout not clean")
        return wall, len(gated), len(moves), problems
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", default="10,30")
    parser.add_argument("--bad", default="0,1,3")
    parser.add_argument("--gate", type=float, default=3.0)
    parser.add_argument("--configs", default="1x1,8x1,8x2", help="BATCHxPARALLEL, comma-separated")
    args = parser.parse_args()
    wt = wt_binary()
    configs = [tuple(int(x) for x in c.split("x")) for c in args.configs.split(",")]
    print("gate: %.1f s; every wt done started within one second; merge: {batch, parallel}" % args.gate)
    print()
    print("| workers | bad | merge | wall (s) | wall / gate | gates run | moves of main | goal | checks |")
    print("|---|---|---|---|---|---|---|---|---|")
    failed = False
    for n in (int(x) for x in args.workers.split(",")):
        for bad in (int(x) for x in args.bad.split(",")):
            for batch, parallel in configs:
                wall, gates, moves, problems = run_case(wt, n, bad, args.gate, batch, parallel)
                if bad == 0:
                    goal = "≤ %.0f s" % (2 * args.gate + 5)
                elif bad == 1:
                    goal = "≤ %d gates" % (math.ceil(math.log2(n)) + 2)
                else:
                    goal = ""
                print("| %d | %d | {batch: %d, parallel: %d} | %.1f | %.1f | %d | %d | %s | %s |" % (
                    n, bad, batch, parallel, wall, wall / args.gate, gates, moves, goal,
                    "ok" if not problems else "; ".join(problems[:3])), flush=True)
                failed = failed or bool(problems)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
