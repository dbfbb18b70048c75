#!/usr/bin/env python3
"""What `wt diff` costs with one local project and two SSH hosts (issue 16),
and with one local project, one SSH host and one pod host (issue 27).

    scripts/bench-hosts.py [WT]

Starts two OpenSSH servers of its own on 127.0.0.1 (each a "host": its own
HOME, PATH, tmux socket and state, as the current user), one repository with
beads per host and one here (the bd double), and times `wt diff` three ways:

- cold: no SSH connection open yet (the first command of the day);
- warm: the persistent connection (ControlMaster) already open;
- local only: the same manifest without its hosts' projects.

It counts the ssh calls this wt makes per host (WT_CALL_STATS) and the
tmux/git/bd calls the host's wt makes there, and prices the alternative of
running each of those over a fresh SSH connection (a handshake per call).
Then, where podman is installed (scripts/install-deps --tests), it plays a
pod host the way the tests do (an image from this machine's files,
`wt host manifest --kubernetes` translated by Tests/Support/pod-from-statefulset,
`podman kube play`, reached with `exec: [podman, exec, -i, …]`) and times
`wt diff` over the local project, one SSH host and the pod, with the podman
calls per pass and the cost of one bare `podman exec`.
Needs sshd (openssh-server) and the bd double; touches nothing of the
user's: every file is under a temporary folder, every process is ours and
ended by its PID, the pod and its volume are removed by name. Prints
numbers; tests assert behaviour, never timings.
"""
import os, re, shutil, signal, socket, statistics, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SUPPORT = os.path.join(ROOT, "Tests", "Support")
RUNS = 9


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(argv, env=None, cwd=None, check=True):
    p = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True)
    if check and p.returncode != 0:
        sys.exit("bench-hosts: %s failed (%d): %s" % (" ".join(argv), p.returncode, p.stderr.strip()))
    return p


class Host:
    """An sshd on 127.0.0.1 standing in for a remote machine."""

    def __init__(self, tmp, name, wt_dir):
        self.name = name
        self.dir = os.path.join(tmp, name)
        self.home = os.path.join(self.dir, "home")
        os.makedirs(self.home)
        self.port = free_port()
        for key in ("host_key", "client_key"):
            run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", os.path.join(self.dir, key)])
        shutil.copy(os.path.join(self.dir, "client_key.pub"), os.path.join(self.dir, "authorized_keys"))
        with open(os.path.join(self.home, ".gitconfig"), "w") as f:
            f.write("[user]\n\tname = Bench\n\temail = bench@example.invalid\n")
        path = ":".join([wt_dir, SUPPORT, "/usr/local/bin", "/usr/bin", "/bin"])
        config = os.path.join(self.dir, "sshd_config")
        with open(config, "w") as f:
            f.write("\n".join([
                "ListenAddress 127.0.0.1", "Port %d" % self.port, "HostKey %s/host_key" % self.dir,
                "PidFile %s/sshd.pid" % self.dir, "PasswordAuthentication no", "UsePAM no", "StrictModes no",
                "AuthorizedKeysFile %s/authorized_keys" % self.dir, "PermitRootLogin prohibit-password",
                "SetEnv HOME=%s PATH=%s LANG=C.UTF-8" % (self.home, path), ""]))
        self.client_config = os.path.join(self.dir, "ssh_config")
        with open(self.client_config, "w") as f:
            f.write("\n".join([
                "Host *", "  UserKnownHostsFile %s/known_hosts" % self.dir, "  StrictHostKeyChecking accept-new",
                "  IdentitiesOnly yes", "  IdentityFile %s/client_key" % self.dir, "  LogLevel ERROR", ""]))
        os.makedirs("/run/sshd", exist_ok=True)
        self.sshd = subprocess.Popen(["/usr/sbin/sshd", "-D", "-e", "-f", config], stderr=subprocess.DEVNULL)
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        self.repo = os.path.join(self.home, "src", "api")
        make_repo(self.repo, "h%s" % name[-1])

    def ssh(self, command, master=False):
        argv = ["ssh", "-F", self.client_config, "-p", str(self.port), "-o", "BatchMode=yes"]
        if not master:
            argv += ["-o", "ControlMaster=no", "-o", "ControlPath=none"]
        return run(argv + ["%s@127.0.0.1" % user(), command])

    def stop(self):
        self.sshd.send_signal(signal.SIGTERM)
        self.sshd.wait()


def user():
    import pwd
    return pwd.getpwuid(os.getuid()).pw_name


def make_repo(path, prefix, beads=3):
    os.makedirs(path)
    run(["git", "init", "-q", "-b", "main"], cwd=path)
    run(["git", "-c", "user.name=B", "-c", "user.email=b@b", "commit", "-q", "--allow-empty", "-m", "init"], cwd=path)
    bd = os.path.join(SUPPORT, "bd")
    run([bd, "init", "-p", prefix, "-q"], cwd=path)
    for i in range(beads):
        run([bd, "create", "Bead %d" % i, "-q"], cwd=path)


def timed(argv, env):
    start = time.perf_counter()
    p = subprocess.run(argv, env=env, capture_output=True, text=True)
    took = time.perf_counter() - start
    if p.returncode not in (0, 2):
        sys.exit("bench-hosts: %s failed (%d): %s" % (" ".join(argv), p.returncode, p.stderr.strip()))
    return took, p


def calls(stderr, label):
    """Every `LABEL: name=N … total=N` line, as dicts: `calls` is this wt's
    own and then each host wt's (their stderr is passed on), `calls to
    hosts` this wt's ssh calls."""
    out = []
    for line in stderr.splitlines():
        m = re.match(r"^%s: (.*) total=(\d+)$" % label, line.strip())
        if m:
            out.append(dict(kv.split("=") for kv in m.group(1).split()))
    return out


def main():
    wt = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, ".build", "debug", "wt"))
    if not os.path.exists("/usr/sbin/sshd"):
        sys.exit("bench-hosts: needs sshd (apt-get install openssh-server)")
    tmp = tempfile.mkdtemp(prefix="wt-bench-hosts.")
    hosts = []
    try:
        hosts = [Host(tmp, "box%d" % i, os.path.dirname(wt)) for i in (1, 2)]
        local = os.path.join(tmp, "local", "repo")
        make_repo(local, "loc")
        lines = ["version: 1", "settings:", "  worktree_root: %s/local/worktrees" % tmp, "hosts:"]
        for h in hosts:
            lines += ["  %s: {ssh: %s@127.0.0.1, port: %d, ssh_config: %s, tmux_socket: ~/tmux, worktree_root: ~/wt}"
                      % (h.name, user(), h.port, h.client_config)]
        lines += ["projects:", "  here: {path: %s}" % local]
        lines += ["  %s-api: {host: %s, path: ~/src/api}" % (h.name, h.name) for h in hosts]
        manifest = os.path.join(tmp, "wt.yaml")
        with open(manifest, "w") as f:
            f.write("\n".join(lines) + "\n")
        local_only = os.path.join(tmp, "local.yaml")
        with open(local_only, "w") as f:
            f.write("\n".join(["version: 1", "settings:", "  worktree_root: %s/local/worktrees" % tmp,
                               "projects:", "  here: {path: %s}" % local, ""]))
        env = dict(os.environ, WT_STATE_DIR=os.path.join(tmp, "state"), WT_BD=os.path.join(SUPPORT, "bd"),
                   WT_TMUX_SOCKET="wt-bench-hosts-%d" % os.getpid(), WT_CALL_STATS="1", NO_COLOR="1")
        diff = [wt, "diff", "-f", manifest]

        cold, warm, alone = [], [], []
        stats = None
        for _ in range(RUNS):
            for sock in control_sockets(env["WT_STATE_DIR"]):
                run(["ssh", "-O", "exit", "-o", "ControlPath=%s" % sock, "x"], check=False)
            took, _ = timed(diff, env)
            cold.append(took)
            took, p = timed(diff, env)
            warm.append(took)
            stats = calls(p.stderr, "calls"), calls(p.stderr, "calls to hosts")
            took, _ = timed([wt, "diff", "-f", local_only], env)
            alone.append(took)
        handshakes = []
        for _ in range(RUNS):
            start = time.perf_counter()
            hosts[0].ssh("true")
            handshakes.append(time.perf_counter() - start)
        handshake = statistics.median(handshakes)
        own, to_hosts = stats
        ours = to_hosts[0] if to_hosts else {}
        theirs = own[1:]
        # Numbers from a wrong answer are worse than none: each host's plan
        # must be its own, from its own wt (a release build once mixed the
        # hosts' answers up, and only this benchmark runs one).
        sections = p.stdout.split("── host ")[1:]
        for h in hosts:
            mine = [x for x in sections if x.startswith(h.name + " ")]
            if len(mine) != 1 or ("%s-api/" % h.name) not in mine[0]:
                sys.exit("bench-hosts: host %s's section is missing or not its own:\n%s" % (h.name, p.stdout))
        if len(theirs) != len(hosts) or int(ours.get("ssh", 0)) != 2 * len(hosts):
            sys.exit("bench-hosts: expected one call report from each host and 2 ssh calls each, got %s and %s" % (theirs, ours))
        remote_calls = statistics.mean(sum(int(v) for v in s.values()) for s in theirs) if theirs else 0

        print("wt diff, 1 local project + 2 SSH hosts (1 project each), median of %d, cores %d, load %.2f"
              % (RUNS, os.cpu_count(), os.getloadavg()[0]))
        print()
        print("| pass                                  | wall    |")
        print("|---------------------------------------|---------|")
        print("| local project only (no hosts)         | %5.3f s |" % statistics.median(alone))
        print("| 1 local + 2 hosts, connections cold   | %5.3f s |" % statistics.median(cold))
        print("| 1 local + 2 hosts, connections warm   | %5.3f s |" % statistics.median(warm))
        print()
        print("| calls in one warm pass                | count |")
        print("|---------------------------------------|-------|")
        print("| ssh calls this wt made, per host      | %5.1f |" % (int(ours.get("ssh", 0)) / len(hosts)))
        print("| tmux/git/bd calls on each host        | %5.1f |" % remote_calls)
        print()
        print("A fresh SSH connection (handshake, no ControlMaster) costs %.3f s here;" % handshake)
        print("one per remote tmux/git/bd call would add about %.2f s per host per pass," % (handshake * remote_calls))
        print("against %.0f round trips over the open connection." % (int(ours.get("ssh", 0)) / len(hosts)))
        if shutil.which("podman"):
            pod_pass(wt, tmp, hosts[0], local, env)
        else:
            print("\n(no podman: the pod host pass is left out; scripts/install-deps --tests installs it)")
    finally:
        for sock in control_sockets(os.path.join(tmp, "state")):
            subprocess.run(["ssh", "-O", "exit", "-o", "ControlPath=%s" % sock, "x"], capture_output=True)
        for h in hosts:
            subprocess.run(["tmux", "-S", os.path.join(h.home, "tmux"), "kill-server"], capture_output=True)
            h.stop()
        shutil.rmtree(tmp, ignore_errors=True)


def pod_pass(wt, tmp, box, local, env):
    """`wt diff` over the local project, one SSH host and one pod host."""
    conf = os.path.join(tmp, "containers.conf")
    with open(conf, "w") as f:
        f.write('[containers]\ndefault_ulimits = []\n[engine]\nruntime = "runc"\n')
    penv = dict(env, CONTAINERS_CONF=conf)
    tar = os.path.join(tmp, "image.tar")
    run([os.path.join(SUPPORT, "pod-image"), tar, wt, SUPPORT])
    tag = "localhost/wt-bench-hosts:%d" % os.getpid()
    run(["podman", "import", "-q", "--change", "ENV PATH=/usr/local/bin:/usr/bin:/bin", tar, tag], env=penv)
    os.remove(tar)
    name = "podbox"
    container = "wt-%s-0-wt" % name
    manifest = os.path.join(tmp, "pod.yaml")
    with open(manifest, "w") as f:
        f.write("\n".join([
            "version: 1", "settings:", "  worktree_root: %s/local/worktrees" % tmp, "hosts:",
            "  %s: {ssh: %s@127.0.0.1, port: %d, ssh_config: %s, tmux_socket: ~/tmux, worktree_root: ~/wt}"
            % (box.name, user(), box.port, box.client_config),
            "  %s: {exec: [podman, exec, -i, %s], image: %s, worktree_root: /wt/worktrees}" % (name, container, tag),
            "projects:", "  here: {path: %s}" % local, "  %s-api: {host: %s, path: ~/src/api}" % (box.name, box.name),
            "  pod-api: {host: %s, path: /wt/repos/api}" % name, ""]))
    printed = run([wt, "host", "manifest", name, "--kubernetes", "-f", manifest], env=penv).stdout
    python = os.path.join(ROOT, ".venv", "bin", "python3")
    played = subprocess.run([python, os.path.join(SUPPORT, "pod-from-statefulset"), "0"], input=printed,
                            capture_output=True, text=True, check=True).stdout
    play = os.path.join(tmp, "play.yaml")
    with open(play, "w") as f:
        f.write(played)
    log = open(os.path.join(tmp, "podman.log"), "w")
    try:
        # conmon keeps the descriptors it inherits: a file, never a pipe.
        if subprocess.call(["podman", "kube", "play", "--network", "none", play], env=penv, stdout=log, stderr=log,
                           stdin=subprocess.DEVNULL) != 0:
            sys.exit("bench-hosts: podman kube play failed; see %s" % log.name)
        exec_ = ["podman", "exec", "-i", container]
        setup = ("git config --global user.name B && git config --global user.email b@b && mkdir -p /wt/repos/api && "
                 "cd /wt/repos/api && git init -q -b main && git commit -q --allow-empty -m init && bd init -p pod -q && "
                 "for i in 0 1 2; do bd create \"Bead $i\" -q; done")
        run(exec_ + ["sh", "-c", setup], env=penv)
        diff = [wt, "diff", "-f", manifest]
        timed(diff, penv)
        walls, bare = [], []
        p = None
        for _ in range(RUNS):
            took, p = timed(diff, penv)
            walls.append(took)
            start = time.perf_counter()
            run(exec_ + ["true"], env=penv)
            bare.append(time.perf_counter() - start)
        to_hosts = calls(p.stderr, "calls to hosts")
        ours = to_hosts[0] if to_hosts else {}
        theirs = calls(p.stderr, "calls")[1:]
        if "pod-api/" not in p.stdout or "── host %s (podman exec -i %s) ──" % (name, container) not in p.stdout:
            sys.exit("bench-hosts: the pod's section is missing or not its own:\n%s" % p.stdout)
        print()
        print("wt diff, 1 local project + 1 SSH host + 1 pod host (podman exec), median of %d" % RUNS)
        print()
        print("| pass                                  | wall    |")
        print("|---------------------------------------|---------|")
        print("| 1 local + 1 SSH + 1 pod, warm         | %5.3f s |" % statistics.median(walls))
        print("| one bare `podman exec -i C true`      | %5.3f s |" % statistics.median(bare))
        print()
        print("| calls in one pass                     | count |")
        print("|---------------------------------------|-------|")
        print("| ssh calls this wt made (SSH host)     | %5d |" % int(ours.get("ssh", 0)))
        print("| podman calls this wt made (pod host)  | %5d |" % int(ours.get("podman", 0)))
        for i, s in enumerate(theirs):
            print("| tmux/git/bd calls on host %d           | %5d |" % (i + 1, sum(int(v) for v in s.values())))
    finally:
        log.close()
        subprocess.run(["podman", "pod", "rm", "-f", "-t", "0", "wt-%s-0" % name], env=penv, capture_output=True)
        subprocess.run(["podman", "volume", "rm", "-f", "data-wt-%s-0" % name], env=penv, capture_output=True)
        subprocess.run(["podman", "rmi", "-f", tag], env=penv, capture_output=True)


def control_sockets(state):
    folder = os.path.join(state, "ssh")
    return [os.path.join(folder, n) for n in os.listdir(folder)] if os.path.isdir(folder) else []


if __name__ == "__main__":
    main()
