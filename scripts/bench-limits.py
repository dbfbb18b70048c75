#!/usr/bin/env python3
"""A backlog through a usage-limit window (issue 23): 20 beads, `wt auto`
on the real Claude Code (a dummy subscription token, so a 429 with the
unified headers is a usage limit with its reset) against the Messages-API
stand-in, which opens a limit window once the backlog is under way and
closes it at a known reset.

    scripts/bench-limits.py [--auto-continue off] BASELINE_WT [WT ...]

Each WT is a wt build, labelled by its path; the first is the baseline
(today's behaviour: a build from before the pause, which keeps starting
workers into the wall), measured in the same run on the same machine. When
a build knows `accounts:` the backlog runs on two accounts, `a` and `b`
(two workers each, its own key each) and only `a`'s key is limited;
otherwise on the one implicit account (four workers), all limited.

`--auto-continue off` sets Claude Code's `autoContinueAtUsageLimit` to
false, so that the agent shows its "What do you want to do?" dialog instead
of going on by itself at the reset, and only the orchestrator brings a
worker back.

Per build:
- starts in the window: workers wt started (`created` in its history)
  after it first recorded a worker limited and before the reset; wasted:
  those whose first request to the model was refused (goal 0);
- reset to working: for the workers the window stopped, the time from the
  reset to each one's first answered request after it, the slowest (goal
  5 s plus the stagger where wt resumes; Claude Code's own continuation
  fires about 43 s after the reset, docs/limits.md);
- backlog: from `wt auto` to the last bead closed (or the deadline).
Prints numbers only; tests assert behaviour, never timings. The stand-in's
request log is the clock: every request carries its time and its key.

Measured 2026-12-06 on the 2-core build machine, shared with other builds
and tests (load near 2, so absolute times are loose), debug builds. The
baseline is main at bd12580, before issue 23 (a limited worker waits for a
person); the other is this branch with main's limits and accounts merged.
A 60 s window opened after 8 answered conversation requests.

    scripts/bench-limits.py /tmp/wt-baseline-prelimits /tmp/wt-limitscreen-bench

auto-continue on (Claude Code's default):

| build | accounts | starts in the window | wasted starts | workers stopped | reset to all working (s) | never back | backlog (s) | beads closed | refused requests |
|---|---|---|---|---|---|---|---|---|---|
| baseline (bd12580) | 1 | 2 | 2 | 4 | 100.5 | 0 | 196 | 20/20 | 4 |
| this branch | 2 | 15 | 0 | 1 | 15.9 | 0 | 87 | 20/20 | 1 |

    scripts/bench-limits.py --auto-continue off BASELINE THIS   (before accounts landed: one account each)

| build | accounts | starts in the window | wasted starts | workers stopped | reset to all working (s) | never back | backlog (s) | beads closed | refused requests |
|---|---|---|---|---|---|---|---|---|---|
| baseline (bd12580) | 1 | 3 | 3 | 4 | — | 4 | 360 (deadline) | 4/20 | 4 |
| this branch, before accounts | 1 | 3 | 3 | 4 | 30.8 | 0 | 152 | 20/20 | 4 |

(That second run counted starts from the first refused request, not from
the first limit wt recorded: its 3 "wasted" starts were workers started in
the same second the window opened, before anything was known. With
auto-continue off the baseline never brings its workers back; the branch's
limits were read as unknown-reset there (StopFailure ran before Claude Code
wrote the transcript's reset, which main's hook did not yet wait for), so
they came back on the 1-minute backoff, not at the reset.)
"""
import calendar, json, os, re, shutil, subprocess, sys, tempfile, time, uuid

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BD = os.path.join(ROOT, "Tests/Support/bd")
CLAUDE = subprocess.check_output([os.path.join(ROOT, ".venv/bin/python3"), "-c", "import claude_agent_sdk, os; print(os.path.join(os.path.dirname(claude_agent_sdk.__file__), '_bundled', 'claude'))"], text=True).strip()
VERSION = subprocess.check_output([CLAUDE, "--version"], text=True).split()[0]
BEADS = 20
OPENS_AFTER = 8      # conversation requests answered before the window opens
WINDOW = 60          # seconds the window stays open
DEADLINE = 360       # seconds a backlog may take
AUTO_CONTINUE = True


def sh(argv, env, cwd=None, check=True):
    return subprocess.run(argv, env=env, cwd=cwd, check=check, capture_output=True, text=True)


def knows_accounts(wt, env, tmp):
    """Whether this build reads `accounts:` (an older one calls it an
    unknown key)."""
    probe = os.path.join(tmp, "probe.yaml")
    with open(probe, "w") as f:
        f.write("version: 1\naccounts:\n  a: {agent: claude, env: {ANTHROPIC_API_KEY: x}}\nprojects:\n  p: {path: repo}\n")
    said = sh([wt, "validate", "-f", probe], env, check=False)
    return "unknown key 'accounts'" not in said.stdout + said.stderr


def run(wt, tmp):
    env = dict(os.environ, HOME=os.path.join(tmp, "home"), WT_STATE_DIR=os.path.join(tmp, "state"),
               WT_TMUX_SOCKET="wt-bench-" + uuid.uuid4().hex[:8], WT_BD=BD, WT_CONFIG=os.path.join(tmp, "wt.yaml"),
               GIT_AUTHOR_NAME="B", GIT_AUTHOR_EMAIL="b@b.invalid", GIT_COMMITTER_NAME="B", GIT_COMMITTER_EMAIL="b@b.invalid")
    for k in [k for k in env if k.startswith(("ANTHROPIC_", "CLAUDE_CODE_"))]:
        del env[k]
    home = env["HOME"]
    os.makedirs(os.path.join(home, ".claude"))
    if not AUTO_CONTINUE:
        with open(os.path.join(home, ".claude", "settings.json"), "w") as f:
            json.dump({"autoContinueAtUsageLimit": False}, f)
    with open(os.path.join(home, ".claude.json"), "w") as f:
        json.dump({"hasCompletedOnboarding": True, "lastOnboardingVersion": VERSION}, f)
    repo = os.path.join(tmp, "repo")
    os.makedirs(os.path.join(repo, ".claude"))
    with open(os.path.join(repo, ".claude/settings.json"), "w") as f:
        json.dump({"permissions": {"allow": ["Bash"]}}, f)
    with open(os.path.join(repo, ".gitignore"), "w") as f:
        f.write(".beads/\n")
    sh(["git", "init", "-q", "-b", "main"], env, repo)
    sh(["git", "add", "-A"], env, repo)
    sh(["git", "commit", "-qm", "init"], env, repo)
    sh([BD, "init", "-p", "demo", "-q"], env, repo)
    beads = []
    for i in range(BEADS):
        steps = "RUN: echo %d > f%d.txt && git add f%d.txt && git commit -qm 'f%d'\nRUN: '%s' done" % (i, i, i, i, wt)
        beads.append(sh([BD, "create", "Write f%d" % i, "-d", steps, "--silent"], env, repo).stdout.strip())

    control = os.path.join(tmp, "control.json")
    with open(control, "w") as f:
        json.dump({}, f)
    port_file, log = os.path.join(tmp, "port"), os.path.join(tmp, "api.log")
    api = subprocess.Popen([os.path.join(ROOT, "Tests/Support/fake-anthropic"), port_file, log],
                           env=dict(env, FAKE_API_CONTROL=control))
    while not os.path.exists(port_file):
        time.sleep(0.05)
    port = open(port_file).read().strip()
    accounts = knows_accounts(wt, env, tmp)
    common = ("      ANTHROPIC_BASE_URL: \"http://127.0.0.1:%s\"\n      DISABLE_AUTOUPDATER: \"1\"\n"
              "      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: \"1\"\n      HOME: %s\n" % (port, home))
    if accounts:
        agent_env = common
        extra = ("accounts:\n  a: {agent: claude, env: {CLAUDE_CODE_OAUTH_TOKEN: sk-ant-oat01-bench-a}}\n"
                 "  b: {agent: claude, env: {CLAUDE_CODE_OAUTH_TOKEN: sk-ant-oat01-bench-b}}\n")
        project_extra = "    accounts: [a, b]\n"
        limited_keys = "sk-ant-oat01-bench-a"
    else:
        agent_env = common + "      CLAUDE_CODE_OAUTH_TOKEN: sk-ant-oat01-bench-a\n"
        extra, project_extra, limited_keys = "", "", ""
    with open(env["WT_CONFIG"], "w") as f:
        f.write("version: 1\nsettings:\n  worktree_root: %s/worktrees\n  admission: {max_load_per_core: 1000, min_free_memory: 1MiB}\n"
                "agents:\n  claude:\n    command: [%s, --permission-mode, acceptEdits]\n"
                "    resume: [%s, --permission-mode, acceptEdits, --resume, \"{{worker.session_id}}\"]\n    env:\n%s"
                "%sprojects:\n  demo:\n    path: repo\n    workers: 4\n%s"
                % (tmp, CLAUDE, CLAUDE, agent_env, extra, project_extra))

    start = time.time()
    auto = subprocess.Popen([wt, "auto", "--interval", "2"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    opened = reset = None
    closed = set()
    try:
        while time.time() - start < DEADLINE and len(closed) < BEADS:
            time.sleep(1)
            rows = read_log(log)
            answered = [r for r in rows if r["conversation"] and r["status"] == 200]
            if opened is None and len(answered) >= OPENS_AFTER:
                opened, reset = time.time(), int(time.time()) + WINDOW
                knobs = {"FAKE_API_ERROR": "rate_limit", "FAKE_API_UNIFIED": "five_hour", "FAKE_API_ERROR_UNTIL": reset}
                if limited_keys:
                    knobs["FAKE_API_KEYS"] = limited_keys
                with open(control, "w") as f:
                    json.dump(knobs, f)
            listed = json.loads(sh([BD, "list", "--status", "closed", "--json", "-n", "0"], env, repo).stdout or "[]")
            closed = {b["id"] for b in listed}
        elapsed = time.time() - start
    finally:
        auto.terminate()
        auto.wait()
        sh(["tmux", "-L", env["WT_TMUX_SOCKET"], "kill-server"], env, check=False)
        api.terminate()
        api.wait()
    return measure(read_log(log), created(os.path.join(tmp, "state", "events.jsonl")), reset, elapsed, len(closed), accounts)


def created(path):
    """When wt started each bead's worker (its history's `created`), and
    when it first recorded a worker limited (key None)."""
    out = {}
    try:
        with open(path) as f:
            for line in f:
                e = json.loads(line)
                stamp = calendar.timegm(time.strptime(e["at"], "%Y-%m-%dT%H:%M:%SZ"))
                if e.get("event") == "created" and e.get("bead"):
                    out.setdefault(e["bead"], stamp)
                elif e.get("status") == "limited":
                    out.setdefault(None, stamp)
    except OSError:
        pass
    return out


def read_log(path):
    rows = []
    try:
        with open(path) as f:
            for line in f:
                r = json.loads(line)
                body = r.get("body", {})
                first = next((m for m in body.get("messages", []) if m.get("role") == "user"), {})
                found = re.search(r"Work on (?:bead )?(demo-[a-z0-9]+)", json.dumps(first.get("content", "")))
                bead = found.group(1) if found else None
                rows.append({"at": r.get("at", 0), "status": r.get("status", 200), "key": r.get("key"),
                             "conversation": bool(body.get("tools")), "bead": bead})
    except OSError:
        pass
    return rows


def measure(rows, starts, reset, elapsed, closed, accounts):
    conv = [r for r in rows if r["conversation"] and r["bead"]]
    first = {}
    for r in conv:
        first.setdefault(r["bead"], r)
    refused = [r for r in conv if r["status"] != 200]
    known = starts.pop(None, None)
    # History times are whole seconds: a start in the second wt first saw
    # the limit is not counted against it.
    during = [b for b, at in starts.items() if known and reset and known < at <= reset]
    wasted = sum(1 for b in during if b in first and first[b]["status"] != 200)
    stopped = {r["bead"] for r in refused}
    back = []
    for b in stopped:
        after = [r["at"] for r in conv if r["bead"] == b and r["status"] == 200 and reset and r["at"] >= reset]
        back.append(min(after) - reset if after else None)
    answered = [x for x in back if x is not None]
    return {"accounts": 2 if accounts else 1, "during": len(during), "wasted": wasted, "stopped": len(stopped),
            "reset_to_working": max(answered) if answered else None, "never_back": sum(1 for x in back if x is None),
            "backlog": elapsed, "closed": closed, "refused": len(refused)}


def main():
    global AUTO_CONTINUE
    args = sys.argv[1:]
    if args[:2] == ["--auto-continue", "off"]:
        AUTO_CONTINUE, args = False, args[2:]
    binaries = [os.path.abspath(b) for b in args]
    if not binaries:
        sys.exit("usage: scripts/bench-limits.py [--auto-continue off] BASELINE_WT [WT ...]")
    results = []
    for wt in binaries:
        tmp = tempfile.mkdtemp(prefix="wt-bench-limits.")
        try:
            results.append((wt, run(wt, tmp)))
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    print("auto-continue %s" % ("on" if AUTO_CONTINUE else "off"))
    print("| build | accounts | starts in the window | wasted starts | workers stopped | reset to all working (s) | never back | backlog (s) | beads closed | refused requests |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for wt, r in results:
        back = "%.1f" % r["reset_to_working"] if r["reset_to_working"] is not None else "—"
        print("| %s | %d | %d | %d | %d | %s | %d | %.0f | %d/%d | %d |" % (
            wt, r["accounts"], r["during"], r["wasted"], r["stopped"], back, r["never_back"], r["backlog"], r["closed"],
            BEADS, r["refused"]))


if __name__ == "__main__":
    main()
