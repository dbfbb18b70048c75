#!/usr/bin/env python3
"""The merge queue under a burst: N workers (default 10) on one repository
run `wt done` within one second. Each merge is computed off-checkout and
gated on its merged result; the gate (a stand-in test suite that takes
GATE seconds, default 0.3) logs the commit it checked.

Prints a table per worker: when its `wt done` started and finished, its
exit status, the merge commit that reached main, and whether the gate ran
on exactly that commit; then the time until all were merged.

Usage: scripts/bench-merge-queue.py [WORKERS] [GATE_SECONDS]
Needs a built wt (.build/release/wt, else .build/debug/wt, or $WT_BIN).
"""
import json, os, shutil, subprocess, sys, tempfile, time, uuid

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BD = os.path.join(ROOT, "Tests/Support/bd")
N = int(sys.argv[1]) if len(sys.argv) > 1 else 10
GATE = float(sys.argv[2]) if len(sys.argv) > 2 else 0.3


def wt_binary():
    if os.environ.get("WT_BIN"):
        return os.environ["WT_BIN"]
    for kind in ("release", "debug"):
        path = os.path.join(ROOT, ".build", kind, "wt")
        if os.path.exists(path):
            return path
    sys.exit("build wt first (swift build -c release)")


def main():
    wt = wt_binary()
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
            f.write("import subprocess, sys, time\n"
                    "head = subprocess.check_output(['git', 'rev-parse', 'HEAD'], text=True).strip()\n"
                    "time.sleep(%r)\n"
                    "open(%r, 'a').write(head + '\\n')\n" % (GATE, gate_log))
        with open(env["WT_CONFIG"], "w") as f:
            f.write("version: 1\nsettings:\n  worktree_root: %s/worktrees\nprojects:\n  bench:\n    path: repo\n"
                    "    workers: %d\n    gate: [[%s, %s]]\n" % (tmp, N, sys.executable, gate))
        beads = []
        for i in range(N):
            bead = run([BD, "create", "Worker %d" % i, "--silent"]).strip()
            tree = os.path.join(tmp, "worktrees", "bench", bead)
            run(["git", "worktree", "add", "-q", "-b", "wt/" + bead, tree, "main"])
            with open(os.path.join(tree, "worker-%d.txt" % i), "w") as f:
                f.write("work of %d\n" % i)
            run(["git", "add", "-A"], cwd=tree)
            run(["git", "commit", "-qm", "work %d" % i], cwd=tree)
            beads.append((bead, run(["git", "rev-parse", "HEAD"], cwd=tree).strip()))

        start = time.time()
        procs = []
        for i, (bead, _) in enumerate(beads):
            if i:
                time.sleep(0.9 / max(N - 1, 1))  # all N within one second
            procs.append((time.time() - start, subprocess.Popen(
                [wt, "done", bead], cwd=repo, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)))
        ends = [None] * N
        while any(e is None for e in ends):
            for i, (_, p) in enumerate(procs):
                if ends[i] is None and p.poll() is not None:
                    ends[i] = time.time() - start
            time.sleep(0.01)
        total = max(ends)

        gated = set(open(gate_log).read().split()) if os.path.exists(gate_log) else set()
        merges = {}
        for line in run(["git", "log", "--first-parent", "--merges", "--format=%H %P", "main"]).splitlines():
            commit, _, second = line.split()
            merges[second] = commit
        print("| worker | done started (s) | done finished (s) | exit | merge commit | gated on that commit |")
        print("|---|---|---|---|---|---|")
        all_ok = True
        for i, (bead, tip) in enumerate(beads):
            commit = merges.get(tip)
            ok = commit is not None and commit in gated
            all_ok = all_ok and ok and procs[i][1].returncode == 0
            print("| %s | %.2f | %.2f | %d | %s | %s |" % (
                bead, procs[i][0], ends[i], procs[i][1].returncode, commit[:10] if commit else "not merged",
                "yes" if ok else "NO"))
        closed = json.loads(run([BD, "list", "--status", "closed", "--json", "-n", "0"]))
        print()
        print("workers: %d, gate: %.1f s, all merged and closed in %.2f s (%.2f s per merge)" % (
            N, GATE, total, total / N))
        print("every merge gated on its merged result: %s; beads closed: %d of %d; main checkout clean: %s" % (
            "yes" if all_ok else "NO", len(closed), N, "yes" if not run(["git", "status", "--porcelain"]) else "NO"))
        for _, p in procs:
            if p.returncode != 0:
                print(p.stderr.read(), file=sys.stderr)
        return 0 if all_ok else 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
