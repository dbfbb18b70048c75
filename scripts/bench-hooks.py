#!/usr/bin/env python3
"""What a hook costs: `wt signal`, `wt status --attention` and `wt --version`
against /bin/true in the same run, wall and CPU (user + system of the
child, from wait4), median of 30 runs each (issue 14).

    scripts/bench-hooks.py BINARY [BINARY ...]

Each BINARY is a wt build, labelled by its path; pass a dynamically and a
statically linked build to compare them in one table. Without arguments it
measures .build-release/release/wt, what `make install` installs;
`swift build -c release` makes .build/release/wt, linked dynamically. Runs against a temporary state directory with
one recorded worker, so nothing of the user's is touched. Prints numbers
only; the tests assert behaviour, never timings.

On the 2-core build machine (load 1.8), main before issue 14 against this
branch, each built with `swift build -c release` (dynamic) and statically
(main: --static-swift-stdlib; branch: `make`, also not PIE):

| build                 | command            | wall ms | CPU ms |
|-----------------------|--------------------|---------|--------|
| /bin/true             |                    |    0.56 |   0.52 |
| main, dynamic         | signal             |   11.00 |  10.71 |
| main, dynamic         | status --attention |   16.94 |  17.44 |
| main, dynamic         | --version          |    7.67 |   7.65 |
| main, static          | signal             |    8.18 |   7.96 |
| main, static          | status --attention |   12.04 |  12.49 |
| main, static          | --version          |    4.49 |   4.48 |
| branch, dynamic       | signal             |    6.13 |   5.81 |
| branch, dynamic       | status --attention |    5.35 |   5.24 |
| branch, dynamic       | --version          |    5.88 |   5.88 |
| branch, make (static) | signal             |    2.78 |   2.51 |
| branch, make (static) | status --attention |    2.18 |   2.10 |
| branch, make (static) | --version          |    2.72 |   2.72 |
"""
import json, os, shutil, statistics, subprocess, sys, tempfile, time

RUNS = 30
HOOK_JSON = b'{"session_id":"bench","hook_event_name":"UserPromptSubmit"}'


def measure(argv, env, stdin_bytes=None):
    """Median wall and CPU milliseconds of RUNS runs of argv."""
    walls, cpus = [], []
    for _ in range(RUNS):
        r, w = os.pipe()
        # posix_spawn, not fork: a forked child would be charged for
        # copying this Python process before it execs.
        actions = [(os.POSIX_SPAWN_DUP2, r, 0), (os.POSIX_SPAWN_CLOSE, w),
                   (os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0), (os.POSIX_SPAWN_OPEN, 2, os.devnull, os.O_WRONLY, 0)]
        start = time.perf_counter()
        pid = os.posix_spawn(argv[0], argv, env, file_actions=actions)
        os.close(r)
        if stdin_bytes:
            os.write(w, stdin_bytes)
        os.close(w)
        _, status, usage = os.wait4(pid, 0)
        walls.append((time.perf_counter() - start) * 1000)
        if os.waitstatus_to_exitcode(status) != 0:
            sys.exit("bench-hooks: %s exited with %d" % (" ".join(argv), os.waitstatus_to_exitcode(status)))
        cpus.append((usage.ru_utime + usage.ru_stime) * 1000)
    return statistics.median(walls), statistics.median(cpus)


def state_with_one_worker(directory):
    os.makedirs(directory)
    record = {"name": "bench-b1", "project": "bench", "bead": "b1", "branch": "wt/b1", "worktree": "/nonexistent/b1",
              "prompt": "delivered", "startFailures": 0, "restarts": 0, "createdAt": "2026-01-01T00:00:00Z",
              "status": "needs-input", "statusAt": "2026-01-01T00:00:00Z"}
    with open(os.path.join(directory, "state.json"), "w") as f:
        json.dump({"workers": {"bench-b1": record}}, f)


def main():
    binaries = [os.path.abspath(b) for b in sys.argv[1:]] or [os.path.abspath(".build-release/release/wt")]
    tmp = tempfile.mkdtemp(prefix="wt-bench-hooks.")
    try:
        state = os.path.join(tmp, "state")
        state_with_one_worker(state)
        manifest = os.path.join(tmp, "wt.yaml")
        with open(manifest, "w") as f:
            f.write("version: 1\nprojects: {}\n")
        # A worker's environment (what wt gives every session), with a tmux
        # socket no server listens on: the hook paths must not need tmux.
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": tmp, "WT_STATE_DIR": state,
               "WT_CONFIG": manifest, "WT_TMUX_SOCKET": "wt-bench-hooks-%d" % os.getpid(), "WT_WORKER": "bench-b1"}
        true = shutil.which("true") if not os.path.exists("/bin/true") else "/bin/true"
        rows = [("/bin/true", "", measure([true], env))]
        for wt in binaries:
            label = os.path.relpath(wt) if wt.startswith(os.getcwd() + "/") else wt
            rows.append((label, "signal prompt-submitted", measure([wt, "signal", "prompt-submitted"], env, HOOK_JSON)))
            # Claude Code's PostToolUse, the commonest hook: on a working
            # worker it reads the state and writes nothing.
            rows.append((label, "signal tool-used", measure([wt, "signal", "tool-used"], env, HOOK_JSON)))
            rows.append((label, "status --attention", measure([wt, "status", "--attention"], env)))
            rows.append((label, "--version", measure([wt, "--version"], env)))
        print("machine: %d cores, load %.2f; median of %d runs" % (os.cpu_count(), os.getloadavg()[0], RUNS))
        print()
        width = max(len(r[0]) for r in rows)
        print("| %-*s | %-23s | wall ms | CPU ms |" % (width, "binary", "command"))
        print("|%s|%s|---------|--------|" % ("-" * (width + 2), "-" * 25))
        for label, command, (wall, cpu) in rows:
            print("| %-*s | %-23s | %7.2f | %6.2f |" % (width, label, command, wall, cpu))
    finally:
        shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
