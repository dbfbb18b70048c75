#!/usr/bin/env python3
"""The cost of a sandbox (issue 26): for sandbox none, bwrap and podman
(each with network full and none), the time from `wt apply` to the agent
taking its prompt, and the idle memory of one worker once the agent waits:
the resident memory of its pane's whole process tree (with a sandbox, the
pane's `wt sandbox-exec`, then bubblewrap and the agent, or the `podman run`
client), plus, for podman, the tree of the container's conmon (conmon,
catatonit and the agent: conmon is started apart from the pane, so the
pane's tree does not hold it; `podman inspect` names its pid).

The agent is the scripted one from Tests/Support (a Python program, so the
figures are the sandbox's overhead on a small agent, not Claude Code's
~335 MB), bd is the double, tmux is on a private server. podman's image is
built once from this machine's files (Tests/Support/pod-image, as the tests
do) as localhost/wt-bench-sandbox:latest unless WT_BENCH_IMAGE names one;
podman reads CONTAINERS_CONF as usual (in a VM that needs runc, point it at
a file with `[engine] runtime = "runc"` and `[containers] default_ulimits
= []`).

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


def podman_image():
    """The image podman rows run, built here once when not named."""
    name = os.environ.get("WT_BENCH_IMAGE")
    if name:
        return name
    name = "localhost/wt-bench-sandbox:latest"
    if subprocess.run(["podman", "image", "exists", name]).returncode != 0:
        tar = tempfile.mktemp(suffix=".tar")
        try:
            run([os.path.join(ROOT, "Tests/Support/pod-image"), tar, WT, os.path.join(ROOT, "Tests/Support")], os.environ, ROOT)
            run(["podman", "import", "-q", "--change", "ENV PATH=/usr/local/bin:/usr/bin:/bin", tar, name], os.environ, ROOT)
        finally:
            if os.path.exists(tar):
                os.remove(tar)
    return name


def container_rss_kib(state):
    """conmon's tree for each container wt labelled with this state folder."""
    out = subprocess.run(["podman", "ps", "--filter", "label=wt.state=%s" % state, "--format", "{{.ID}}"],
                         capture_output=True, text=True).stdout.split()
    total = 0
    for cid in out:
        pid = subprocess.run(["podman", "inspect", "--format", "{{.State.ConmonPid}}", cid], capture_output=True, text=True).stdout
        if pid.strip().isdigit():
            total += tree_rss_kib(int(pid))
    return total


def trial(runtime, network):
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
        line = "" if runtime is None else "    sandbox: {runtime: %s, network: %s, read_write: [%s]}\n" % (runtime, network, logs)
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
                raise SystemExit("no prompt within %d s (%s)" % (DEADLINE, runtime))
            time.sleep(0.01)
        to_prompt = time.monotonic() - start
        time.sleep(1.0)  # the agent idles at its prompt
        pid = int(run(["tmux", "-L", socket, "list-panes", "-a", "-F", "#{pane_pid}"], env, repo).stdout.split()[0])
        extra = container_rss_kib(env["WT_STATE_DIR"]) if runtime and runtime.startswith("podman") else 0
        return to_prompt, tree_rss_kib(pid) + extra
    finally:
        subprocess.run(["tmux", "-L", socket, "kill-server"], capture_output=True)
        if runtime and runtime.startswith("podman"):
            ids = subprocess.run(["podman", "ps", "--all", "--filter", "label=wt.state=%s" % env["WT_STATE_DIR"], "--format",
                                  "{{.ID}}"], capture_output=True, text=True).stdout.split()
            if ids:
                subprocess.run(["podman", "rm", "--force", "--time", "0"] + ids, capture_output=True)
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    if not os.path.exists(WT):
        raise SystemExit("no %s: swift build -c release (or set WT_BENCH_BIN)" % WT)
    cores, load = os.cpu_count(), os.getloadavg()[0]
    print("sandbox cost, %d trials per row; %d cores, load %.1f; wt %s" % (TRIALS, cores, load, WT))
    print("%-22s %14s %14s %16s" % ("sandbox", "to prompt p50", "to prompt max", "idle RSS p50"))
    rows = [("none", None, None), ("bwrap, network full", "bwrap", "full"), ("bwrap, network none", "bwrap", "none"),
            ("podman, network full", "podman", "full"), ("podman, network none", "podman", "none")]
    image = None
    for name, runtime, network in rows:
        if runtime is not None and not shutil.which(runtime if runtime == "podman" else "bwrap"):
            print("%-22s %14s" % (name, runtime + " missing"))
            continue
        if runtime == "podman":
            image = image or podman_image()
            runtime = "podman, image: %s" % image
        runs = [trial(runtime, network) for _ in range(TRIALS)]
        times = [r[0] for r in runs]
        print("%-22s %12.2f s %12.2f s %13.1f MB" % (name, statistics.median(times), max(times),
                                                     statistics.median(r[1] for r in runs) / 1024))


if __name__ == "__main__":
    main()
