#!/usr/bin/env python3
"""Fleet benchmarks (issue 7), each printed as a table with the machine's
cores and load and a baseline measured in the same run:

P1  `wt diff` cost for 1, 10 and 50 workers across 1 and 10 projects:
    external calls and wall time, against the raw tmux/git/bd calls alone.
P2  convergence of 8 workers whose agent needs T seconds to start, against
    the serial time 8*T.
P3  delivery to hostile agents (random 0.2-3 s start-up, a trust dialog whose
    default exits, keys lost for 0.8 s after the prompt appears, the first
    Enter dropped), wt against naive send-keys.
P4  idle cost of `wt apply --watch` plus `wt watch` with 20 workers (CPU of
    wt's own processes, with the tmux, git and bd calls they make, the tmux
    server, and the agents beside them; WT_BENCH_IDLE_SECONDS, default 60):
    share over 60 s.

Uses the bd double and the scripted agent from Tests/Support on a private
tmux server; everything is removed at the end.
Usage: scripts/bench-fleet.py [P1 P2 P3 P4]
"""
import json, os, shutil, statistics, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WT = os.environ.get("WT_BINARY") or os.path.join(ROOT, ".build/release/wt")
BD = os.path.join(ROOT, "Tests/Support/bd")
AGENT = os.path.join(ROOT, "Tests/Support/fake-agent")
HZ = os.sysconf("SC_CLK_TCK")


class Fleet:
    def __init__(self, projects, beads, workers, agent_env, dialogs=""):
        self.tmp = tempfile.mkdtemp(prefix="wt-fleet.")
        self.sock = "wt-fleet-%d-%d" % (os.getpid(), int(time.time() * 1000) % 100000)
        self.env = dict(os.environ, WT_STATE_DIR=self.tmp + "/state", WT_TMUX_SOCKET=self.sock, WT_BD=BD,
                        WT_CONFIG=self.tmp + "/wt.yaml", GIT_AUTHOR_NAME="b", GIT_AUTHOR_EMAIL="b@b",
                        GIT_COMMITTER_NAME="b", GIT_COMMITTER_EMAIL="b@b")
        self.projects = ["p%d" % i for i in range(projects)]
        lines = ["version: 1",
                 "settings: {worktree_root: %s/wt, admission: {max_load_per_core: 1000, min_free_memory: 1MiB}}" % self.tmp,
                 "agents:", "  fake:", "    command: [%s]" % AGENT, "    ready: '^❯\\u00A0'", "    busy: 'esc to interrupt'",
                 "    env: %s" % json.dumps(agent_env)]
        if dialogs:
            lines.append("    dialogs: [{match: 'Is this a project you created or one you trust', keys: [Down, Enter]}]")
        lines.append("projects:")
        for p in self.projects:
            repo = os.path.join(self.tmp, p)
            os.makedirs(repo)
            subprocess.run(["git", "init", "-q", "-b", "main"], cwd=repo, check=True)
            subprocess.run(["git", "commit", "-q", "--allow-empty", "-m", "i"], cwd=repo, env=self.env, check=True)
            subprocess.run([BD, "init", "-p", p, "-q"], cwd=repo, check=True)
            for i in range(beads):
                subprocess.run([BD, "create", "task %d" % i, "--silent"], cwd=repo, check=True, capture_output=True)
            lines.append("  %s: {path: %s, agent: fake, workers: %d}" % (p, repo, workers))
        with open(self.tmp + "/wt.yaml", "w") as f:
            f.write("\n".join(lines) + "\n")

    def wt(self, *args, **kw):
        return subprocess.run([WT] + list(args), env=self.env, capture_output=True, text=True, **kw)

    def close(self):
        subprocess.run(["tmux", "-L", self.sock, "kill-server"], capture_output=True)
        shutil.rmtree(self.tmp, ignore_errors=True)


def median_time(fn, n=7):
    times = []
    for _ in range(n):
        s = time.perf_counter()
        fn()
        times.append(time.perf_counter() - s)
    return statistics.median(times)


def machine():
    return "machine: %d cores, load %.2f" % (os.cpu_count(), os.getloadavg()[0])


def p1():
    print("P1  wt diff cost (%s)\n" % machine())
    print("| projects x workers | live | tmux | git | bd | calls | wt diff (median of 7) | raw calls alone, serial |")
    print("|--------------------|------|------|-----|----|-------|-----------------------|-------------------------|")
    for projects, workers in [(1, 1), (1, 10), (1, 50), (10, 1), (10, 5)]:
        fleet = Fleet(projects, workers, workers, {"FAKE_AGENT_DELAY": "0.1", "FAKE_AGENT_READY_LAG": "0.1", "FAKE_AGENT_WORK": "0.1"})
        try:
            fleet.wt("apply", "--yes")
            live = len(subprocess.run(["tmux", "-L", fleet.sock, "list-sessions"], capture_output=True, text=True).stdout.splitlines())
            calls = subprocess.run([WT, "diff"], env=dict(fleet.env, WT_CALL_STATS="1"), capture_output=True, text=True).stderr
            counts = dict(x.split("=") for x in calls.strip().split(":", 1)[1].split())
            t = median_time(lambda: fleet.wt("diff"))

            def raw():
                subprocess.run(["tmux", "-L", fleet.sock, "list-panes", "-a", "-F", "#{session_name}"], capture_output=True)
                for p in fleet.projects:
                    repo = os.path.join(fleet.tmp, p)
                    subprocess.run(["git", "-C", repo, "worktree", "list", "--porcelain"], capture_output=True)
                    subprocess.run([BD, "ready", "--json", "-n", "0"], cwd=repo, capture_output=True)
                    subprocess.run([BD, "list", "--status", "open,in_progress", "--json", "-n", "0"], cwd=repo, capture_output=True)
            r = median_time(raw)
            print("| %2d x %-13d | %4d | %4s | %3s | %2s | %5s | %19.3f s | %21.3f s |" % (
                projects, workers, live, counts.get("tmux"), counts.get("git"), counts.get("bd"), counts.get("total"), t, r))
        finally:
            fleet.close()
    print()


def p2(T=2.0):
    print("P2  convergence of 8 workers, agent start-up %.0f s (%s)\n" % (T, machine()))
    fleet = Fleet(1, 8, 8, {"FAKE_AGENT_DELAY": str(T), "FAKE_AGENT_READY_LAG": "0.2", "FAKE_AGENT_WORK": "0.2"})
    try:
        s = time.perf_counter()
        out = fleet.wt("apply", "--yes").stdout
        took = time.perf_counter() - s
        delivered = out.count("prompt delivered")
        print("| workers | agent start | wt apply wall | serial (8 x T) | delivered |")
        print("|---------|-------------|---------------|----------------|-----------|")
        print("| %7d | %9.1f s | %11.1f s | %12.1f s | %6d of 8 |\n" % (8, T, took, 8 * T, delivered))
    finally:
        fleet.close()


def p3(n=8):
    print("P3  delivery to hostile agents, %d workers (%s)\n" % (n, machine()))
    hostile = {"FAKE_AGENT_DELAY": "0.2..3", "FAKE_AGENT_TRUST": "1", "FAKE_AGENT_DROP_ENTERS": "1",
               "FAKE_AGENT_READY_LAG": "0.8", "FAKE_AGENT_WORK": "0.3"}
    rows = []
    # Naive: start each agent, then send-keys the prompt and Enter at once.
    fleet = Fleet(1, 0, n, dict(hostile, FAKE_AGENT_LOG="/dev/null"))
    try:
        log = fleet.tmp + "/naive.log"
        for i in range(n):
            env = dict(hostile, FAKE_AGENT_LOG=log)
            args = ["tmux", "-L", fleet.sock, "new-session", "-d", "-s", "n%d" % i]
            for k, v in env.items():
                args += ["-e", "%s=%s" % (k, v)]
            subprocess.run(args + [AGENT, "--naive"], check=True)
            subprocess.run(["tmux", "-L", fleet.sock, "send-keys", "-t", "n%d" % i, "-l", "naive prompt %d" % i])
            subprocess.run(["tmux", "-L", fleet.sock, "send-keys", "-t", "n%d" % i, "Enter"])
        time.sleep(6)
        got = open(log).read().count("naive prompt") if os.path.exists(log) else 0
        rows.append(("naive send-keys", got))
    finally:
        fleet.close()
    fleet = Fleet(1, n, n, dict(hostile, FAKE_AGENT_LOG="/tmp/wt-fleet-p3-%d.log" % os.getpid()), dialogs="yes")
    try:
        log = "/tmp/wt-fleet-p3-%d.log" % os.getpid()
        fleet.wt("apply", "--yes")
        lines = open(log).read().splitlines() if os.path.exists(log) else []
        prompts = [json.loads(l)["prompt"] for l in lines]
        rows.append(("wt", len(set(prompts)) if len(prompts) == len(set(prompts)) else -len(prompts)))
        os.unlink(log)
    finally:
        fleet.close()
    print("| delivery        | prompts taken exactly once |")
    print("|-----------------|----------------------------|")
    for name, got in rows:
        print("| %-15s | %16d of %-7d |" % (name, got, n))
    print()


def cpu(pid, children=False):
    """CPU seconds of a process; with children, also of the children it has
    waited for (every tmux, git and bd call wt makes is one)."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    own = int(fields[11]) + int(fields[12])
    return (own + (int(fields[13]) + int(fields[14]) if children else 0)) / HZ


def tree(pid):
    """The process and its descendants, from /proc."""
    kids = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open("/proc/%s/stat" % entry) as f:
                    kids.setdefault(int(f.read().rsplit(")", 1)[1].split()[1]), []).append(int(entry))
            except OSError:
                pass
    out, stack = [], [pid]
    while stack:
        p = stack.pop()
        out.append(p)
        stack += kids.get(p, [])
    return out


def tree_cpu(pids):
    total = 0.0
    for p in pids:
        try:
            total += cpu(p)
        except OSError:
            pass
    return total


def p4(seconds=None):
    seconds = int(os.environ.get("WT_BENCH_IDLE_SECONDS", "60")) if seconds is None else seconds
    if not os.path.exists("/proc/self/stat"):
        print("P4 reads CPU times from /proc; this machine has none\n")
        return
    print("P4  idle cost with 20 workers over %d s (%s)\n" % (seconds, machine()))
    fleet = Fleet(1, 20, 20, {"FAKE_AGENT_DELAY": "0.1", "FAKE_AGENT_READY_LAG": "0.1", "FAKE_AGENT_WORK": "0.1"})
    try:
        fleet.wt("apply", "--yes")
        auto = subprocess.Popen([WT, "auto"], env=fleet.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        fleet.wt("hub", "--no-attach")
        panes = subprocess.run(["tmux", "-L", fleet.sock, "list-panes", "-a", "-F", "#{session_name} #{pane_pid}"],
                               capture_output=True, text=True).stdout.split("\n")
        watch_pid = next(int(l.split()[1]) for l in panes if l.startswith("wt-hub "))
        agents = [int(l.split()[1]) for l in panes if l and not l.startswith("wt-hub ")]
        server = int(subprocess.run(["tmux", "-L", fleet.sock, "display-message", "-p", "#{pid}"],
                                    capture_output=True, text=True).stdout.strip())
        time.sleep(5)
        agent_pids = [p for a in agents for p in tree(a)]
        before = (cpu(auto.pid), cpu(auto.pid, True), cpu(watch_pid), cpu(watch_pid, True), cpu(server),
                  tree_cpu(agent_pids), time.time())
        time.sleep(seconds)
        after = (cpu(auto.pid), cpu(auto.pid, True), cpu(watch_pid), cpu(watch_pid, True), cpu(server),
                 tree_cpu(agent_pids), time.time())
        auto.terminate()
        d = [b - a for a, b in zip(before, after)]
        span = d[-1]
        print("| process                                  | CPU seconds | share of one core |")
        print("|------------------------------------------|-------------|-------------------|")
        for label, value in [("wt apply --watch (auto), own", d[0]), ("wt apply --watch (auto), with children", d[1]),
                             ("wt watch (in the hub), own", d[2]), ("wt watch (in the hub), with children", d[3]),
                             ("tmux server (serves agents too)", d[4]),
                             ("auto + hub with children + tmux", d[1] + d[3] + d[4]),
                             ("the 20 scripted agents themselves", d[5])]:
            print("| %-40s | %9.2f s | %15.2f %% |" % (label, value, 100 * value / span))
        print()
    finally:
        fleet.close()


if not os.path.exists(WT):
    subprocess.run(["swift", "build", "-c", "release"], cwd=ROOT, check=True)
wanted = sys.argv[1:] or ["P1", "P2", "P3", "P4"]
for name in wanted:
    globals()[name.lower()]()
