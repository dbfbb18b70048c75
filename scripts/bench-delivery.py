#!/usr/bin/env python3
"""Prompt delivery to the real Claude Code: wt's delivery against the floor
(`claude 'PROMPT'` launched directly in a pane, the folder trusted and the
key accepted beforehand) and against a naive `send-keys` right after the
session starts (the seed's failure: text sent before Claude is ready is
lost).

Each trial uses a fresh HOME and a fresh folder and the Messages-API
stand-in from Tests/Support on 127.0.0.1. "wt (dialogs)" starts with a HOME
that knows nothing, so the trust and API-key dialogs appear and wt answers
them; "wt (accepted)" has the worktree root trusted and the key accepted,
like the floor. A prompt counts as accepted when it reaches the stand-in.
Prints a table: success rate, time from launch (`wt apply` for wt) to prompt
accepted (median, p95), and the retries wt used, with the floor beside wt.

Usage: scripts/bench-delivery.py [TRIALS]   (default 5 per column)
WT_BENCH_BIN=path uses that wt (a debug build, say) instead of the release
build.
"""
import json, os, shutil, statistics, subprocess, sys, tempfile, time, uuid

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WT = os.environ.get("WT_BENCH_BIN") or os.path.join(ROOT, ".build/release/wt")
BD = os.path.join(ROOT, "Tests/Support/bd")
TRIALS = int(sys.argv[1]) if len(sys.argv) > 1 else 5
# The real Claude Code ships in claude-agent-sdk, which scripts/install-deps
# puts in the checkout's virtual environment.
CLAUDE = subprocess.check_output([os.path.join(ROOT, ".venv/bin/python3"), "-c", "import claude_agent_sdk, os; print(os.path.join(os.path.dirname(claude_agent_sdk.__file__), '_bundled', 'claude'))"], text=True).strip()
VERSION = subprocess.check_output([CLAUDE, "--version"], text=True).split()[0]
DEADLINE = 60


def api(tmp):
    port_file, log = os.path.join(tmp, "port"), os.path.join(tmp, "api.log")
    proc = subprocess.Popen([os.path.join(ROOT, "Tests/Support/fake-anthropic"), port_file, log])
    while not os.path.exists(port_file):
        time.sleep(0.05)
    return proc, open(port_file).read().strip(), log


def accepted(log, marker):
    try:
        with open(log) as f:
            return marker in f.read()
    except OSError:
        return False


KEY = "sk-ant-bench-dummy"


def home(tmp, trusted=None):
    """A HOME past onboarding; with `trusted`, that folder is trusted and
    the key accepted (Claude Code keeps both in ~/.claude.json: projects.
    <path>.hasTrustDialogAccepted, customApiKeyResponses.approved holds the
    key's last 20 characters)."""
    h = os.path.join(tmp, "home-" + uuid.uuid4().hex[:6])
    os.makedirs(h)
    config = {"hasCompletedOnboarding": True, "lastOnboardingVersion": VERSION}
    if trusted:
        config["projects"] = {trusted: {"hasTrustDialogAccepted": True, "allowedTools": []}}
        config["customApiKeyResponses"] = {"approved": [KEY[-20:]], "rejected": []}
    with open(os.path.join(h, ".claude.json"), "w") as f:
        json.dump(config, f)
    return h


def claude_env(h, port):
    return {"HOME": h, "ANTHROPIC_API_KEY": KEY, "ANTHROPIC_BASE_URL": "http://127.0.0.1:" + port,
            "DISABLE_AUTOUPDATER": "1", "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1"}


def naive(tmp, port, log, sock, i):
    folder = os.path.join(tmp, "naive-%d" % i)
    os.makedirs(folder)
    env = claude_env(home(tmp), port)
    marker = "naive-marker-%s" % uuid.uuid4().hex[:8]
    start = time.time()
    args = ["tmux", "-L", sock, "new-session", "-d", "-s", "n%d" % i, "-x", "200", "-y", "50", "-c", folder]
    for k, v in env.items():
        args += ["-e", "%s=%s" % (k, v)]
    subprocess.run(args + [CLAUDE, "--permission-mode", "acceptEdits"], check=True)
    subprocess.run(["tmux", "-L", sock, "send-keys", "-t", "n%d" % i, "-l", "Please say hello " + marker])
    subprocess.run(["tmux", "-L", sock, "send-keys", "-t", "n%d" % i, "Enter"])
    while time.time() - start < DEADLINE:
        if accepted(log, marker):
            return time.time() - start, 0
        time.sleep(0.2)
    return None, 0


def floor(tmp, port, log, sock, i):
    folder = os.path.join(tmp, "floor-%d" % i)
    os.makedirs(folder)
    env = claude_env(home(tmp, trusted=folder), port)
    marker = "floor-marker-%s" % uuid.uuid4().hex[:8]
    start = time.time()
    args = ["tmux", "-L", sock, "new-session", "-d", "-s", "f%d" % i, "-x", "200", "-y", "50", "-c", folder]
    for k, v in env.items():
        args += ["-e", "%s=%s" % (k, v)]
    subprocess.run(args + [CLAUDE, "--permission-mode", "acceptEdits", "Please say hello " + marker], check=True)
    while time.time() - start < DEADLINE:
        if accepted(log, marker):
            return time.time() - start, 0
        time.sleep(0.05)
    return None, 0


def with_wt(tmp, port, log, sock, i, pre_accepted=False):
    work = os.path.join(tmp, "wt-%s%d" % ("a" if pre_accepted else "d", i))
    repo = os.path.join(work, "repo")
    os.makedirs(repo)
    git = ["git", "-C", repo]
    subprocess.run(git + ["init", "-q", "-b", "main"], check=True)
    subprocess.run(git + ["-c", "user.name=b", "-c", "user.email=b@b", "commit", "-q", "--allow-empty", "-m", "i"], check=True)
    subprocess.run([BD, "init", "-p", "b", "-q"], cwd=repo, check=True)
    marker = "wt-marker-%s" % uuid.uuid4().hex[:8]
    subprocess.run([BD, "create", "Please say hello " + marker, "--silent"], cwd=repo, check=True, capture_output=True)
    env = claude_env(home(tmp, trusted=os.path.join(work, "wt") if pre_accepted else None), port)
    with open(os.path.join(work, "wt.yaml"), "w") as f:
        f.write("version: 1\nsettings: {worktree_root: %s/wt, admission: {max_load_per_core: 1000, min_free_memory: 1MiB}}\n"
                "agents:\n  claude:\n    command: [%s, --permission-mode, acceptEdits]\n    env: %s\n"
                "projects:\n  b: {path: %s, workers: 1}\n" % (work, CLAUDE, json.dumps(env), repo))
    e = dict(os.environ, WT_STATE_DIR=os.path.join(work, "state"), WT_TMUX_SOCKET=sock, WT_BD=BD,
             WT_CONFIG=os.path.join(work, "wt.yaml"))
    start = time.time()
    subprocess.run([WT, "apply", "--yes"], env=e, capture_output=True)
    while time.time() - start < DEADLINE:
        if accepted(log, marker):
            break
        time.sleep(0.05)
    took = time.time() - start if accepted(log, marker) else None
    retries = 0
    events = os.path.join(work, "state", "events.jsonl")
    if os.path.exists(events):
        sent = sum(1 for line in open(events) if '"prompt-sent"' in line)
        retries = max(0, sent - 1)
    return took, retries


def row(name, results):
    times = sorted(t for t, _ in results if t is not None)
    ok = len(times)
    med = "%.1f s" % statistics.median(times) if times else "-"
    p95 = "%.1f s" % times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))] if times else "-"
    retries = sum(r for _, r in results)
    print("| %-22s | %3d of %-3d | %8s | %8s | %7d |" % (name, ok, len(results), med, p95, retries))


def main():
    if not os.path.exists(WT):
        subprocess.run(["swift", "build", "-c", "release"], cwd=ROOT, check=True)
    tmp = tempfile.mkdtemp(prefix="wt-bench-delivery.")
    sock = "wt-bench-%d" % os.getpid()
    proc, port, log = api(tmp)
    try:
        print("machine: %d cores, load %s; Claude Code %s; %d trials per column" % (
            os.cpu_count(), "%.2f" % os.getloadavg()[0], VERSION, TRIALS))
        # Interleaved, so load changes touch every column alike.
        results = {"floor": [], "accepted": [], "dialogs": [], "naive": []}
        for i in range(TRIALS):
            results["floor"].append(floor(tmp, port, log, sock, i))
            results["accepted"].append(with_wt(tmp, port, log, sock, i, pre_accepted=True))
            results["dialogs"].append(with_wt(tmp, port, log, sock, i))
            results["naive"].append(naive(tmp, port, log, sock, i))
        print()
        print("| delivery               | accepted   | median   | p95      | retries |")
        print("|------------------------|------------|----------|----------|---------|")
        row("floor: claude 'PROMPT'", results["floor"])
        row("wt (accepted)", results["accepted"])
        row("wt (dialogs)", results["dialogs"])
        row("naive send-keys", results["naive"])
        floor_times = sorted(t for t, _ in results["floor"] if t is not None)
        wt_times = sorted(t for t, _ in results["accepted"] if t is not None)
        if floor_times and wt_times:
            f, w = statistics.median(floor_times), statistics.median(wt_times)
            print("\nfloor %.1f s, wt %.1f s: wt is the floor + %.1f s (goal: + 1 s at most)" % (f, w, w - f))
    finally:
        subprocess.run(["tmux", "-L", sock, "kill-server"], capture_output=True)
        proc.terminate()
        shutil.rmtree(tmp, ignore_errors=True)


main()
