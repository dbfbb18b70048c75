#!/usr/bin/env python3
"""The cost of a sandbox (issue 26): for sandbox none, bwrap (network full)
and bwrap (network none), the time from `wt apply` to the agent taking its
prompt, and the idle memory of one worker (the resident memory of its
pane's whole process tree once the agent waits: with a sandbox, the pane's
`wt sandbox-exec`, bubblewrap and the agent).

The agent is the scripted one from Tests/Support (a Python program, so the
figures are the sandbox's overhead on a small agent, not Claude Code's
~335 MB), bd is the double, tmux is on a private server. podman is not
started by this wt yet and is printed as such.

Usage: scripts/bench-sandbox.py [TRIALS]   (default 5 per row)
WT_BENCH_BIN=path uses that wt (a debug build, say) instead of the release
build.
"""
import json, os, shutil, statistics, subprocess, sys, tempfile, time, uuid

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WT = os.environ.get("WT_BENCH_BIN") or os.path.join(ROOT, ".build/release/wt")
BD = os.path.join(ROOT, "Tests/Support/bd")
AGENT = os.path.join(ROOT, "Tests/Support/fake-agent")
TRIALS = int(sys.argv[1]) if len(sys.argv) > 1 else 5
DEADLINE = 60


def run(argv, env, cwd, check=True):
    r = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True)
    if check and r.returncode != 0:
        raise SystemExit("%s failed: %s" % (" ".join(argv), r.stderr))
    return r


def tree_rss_kib(pid):
    """Resident memory of pid and every descendant, from /proc."""
    children = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry) as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry))
        except (OSError, ValueError, IndexError):
            pass
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        todo += children.get(p, [])
        try:
            with open("/proc/%d/status" % p) as f:
                total += next(int(l.split()[1]) for l in f if l.startswith("VmRSS:"))
        except (OSError, StopIteration):
            pass
    return total


def trial(sandbox):
    tmp = tempfile.mkdtemp(prefix="wt-bench-sbx-")
    logs = os.path.join(tmp, "logs")
    os.makedirs(logs)
    socket = "wt-bench-%s" % uuid.uuid4().hex[:10]
    env = dict(os.environ, HOME=tmp, WT_STATE_DIR=os.path.join(tmp, "state"), WT_TMUX_SOCKET=socket, WT_BD=BD,
               WT_CONFIG=os.path.join(tmp, "wt.yaml"), NO_COLOR="1")
    repo = os.path.join(tmp, "repo")
    os.makedirs(repo)
    try:
        for argv in (["git", "init", "-q", "-b", "main"], ["git", "config", "user.name", "B"],
                     ["git", "config", "user.email", "b@b.invalid"], ["git", "commit", "-q", "--allow-empty", "-m", "init"],
                     [BD, "init", "-p", "demo", "-q"]):
            run(argv, env, repo)
        run([BD, "create", "bench", "-d", "nothing", "--silent"], env, repo)
        line = "" if sandbox is None else "    sandbox: {runtime: bwrap, network: %s, read_write: [%s]}\n" % (sandbox, logs)
        with open(env["WT_CONFIG"], "w") as f:
            f.write("""version: 1
settings:
  worktree_root: %s/worktrees
  admission: {max_load_per_core: 1000, min_free_memory: 1MiB}
agents:
  fake:
    command: [%s]
    session_id: true
    ready: '^❯\\u00A0'
    busy: 'esc to interrupt'
    env: {FAKE_AGENT_DELAY: "0", FAKE_AGENT_WORK: "0.1", FAKE_AGENT_LOG: "%s/agent.log"}
projects:
  demo:
    path: repo
    agent: fake
    workers: 1
%s""" % (tmp, AGENT, logs, line))
        start = time.monotonic()
        run([WT, "apply", "--yes"], env, repo)
        log = os.path.join(logs, "agent.log")
        while not (os.path.exists(log) and os.path.getsize(log) > 0):
            if time.monotonic() - start > DEADLINE:
                raise SystemExit("no prompt within %d s (%s)" % (DEADLINE, sandbox))
            time.sleep(0.01)
        to_prompt = time.monotonic() - start
        time.sleep(1.0)  # the agent idles at its prompt
        pid = int(run(["tmux", "-L", socket, "list-panes", "-a", "-F", "#{pane_pid}"], env, repo).stdout.split()[0])
        return to_prompt, tree_rss_kib(pid)
    finally:
        subprocess.run(["tmux", "-L", socket, "kill-server"], capture_output=True)
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    if not os.path.exists(WT):
        raise SystemExit("no %s: swift build -c release (or set WT_BENCH_BIN)" % WT)
    cores, load = os.cpu_count(), os.getloadavg()[0]
    print("sandbox cost, %d trials per row; %d cores, load %.1f; wt %s" % (TRIALS, cores, load, WT))
    print("%-22s %14s %14s %16s" % ("sandbox", "to prompt p50", "to prompt max", "idle RSS p50"))
    for name, sandbox in (("none", None), ("bwrap, network full", "full"), ("bwrap, network none", "none")):
        if sandbox is not None and not shutil.which("bwrap"):
            print("%-22s %14s" % (name, "bwrap missing"))
            continue
        runs = [trial(sandbox) for _ in range(TRIALS)]
        times = [r[0] for r in runs]
        print("%-22s %12.2f s %12.2f s %13.1f MB" % (name, statistics.median(times), max(times),
                                                     statistics.median(r[1] for r in runs) / 1024))
    print("%-22s %14s" % ("podman", "not started by this wt yet"))


if __name__ == "__main__":
    main()
