#!/usr/bin/env bash
# Benchmarks of the reconciler, printed as tables (issue 3):
#  1. `wt diff`: external calls and wall time for 1 project x 1 worker,
#     1 x 6 and 4 x 1. Calls must grow with projects, not workers.
#  2. `wt apply` of 6 workers whose agent needs 2 s to start: parallel
#     means about 2 s plus overhead, not 12.
# Uses the bd double and the scripted agent from Tests/Support, a private
# tmux server and a temporary folder; removes both at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release >/dev/null
WT="$PWD/.build/release/wt"
BD="$PWD/Tests/Support/bd"
AGENT="$PWD/Tests/Support/fake-agent"
TMP=$(mktemp -d /tmp/wt-bench.XXXXXX)
SOCK="wt-bench-$$"
export WT_STATE_DIR="$TMP/state" WT_TMUX_SOCKET="$SOCK" WT_BD="$BD" HOME="$TMP"
cleanup() { tmux -L "$SOCK" kill-server 2>/dev/null || true; rm -rf "$TMP"; }
trap cleanup EXIT

make_repo() { # name beads
  local dir="$TMP/$1"
  mkdir -p "$dir" && git -C "$dir" init -q -b main
  git -C "$dir" -c user.name=b -c user.email=b@b commit -q --allow-empty -m init
  (cd "$dir" && "$BD" init -p "$1" -q && for i in $(seq "$2"); do "$BD" create "task $i" --silent >/dev/null; done)
}

manifest() { # file delay projects workers
  local file=$1 delay=$2 projects=$3 workers=$4
  cat >"$file" <<YAML
version: 1
settings: {worktree_root: $TMP/wt, tmux_socket: $SOCK, admission: {max_load_per_core: 1000, min_free_memory: 1MiB}}
agents:
  fake:
    command: [$AGENT]
    ready: '^❯\\u00A0'
    busy: 'esc to interrupt'
    env: {FAKE_AGENT_DELAY: "$delay", FAKE_AGENT_READY_LAG: "0.2", FAKE_AGENT_WORK: "0.2"}
projects:
YAML
  for p in $projects; do printf '  %s: {path: %s, agent: fake, workers: %s}\n' "$p" "$TMP/$p" "$workers" >>"$file"; done
}

# GNU date knows %N; BSD date (macOS) prints a literal N, so ask Python
# there (its start-up adds a few milliseconds to each wall time).
if [ "$(date +%N)" != N ]; then now() { date +%s.%N; }; else now() { python3 -c 'import time; print(time.time())'; }; fi
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

echo "machine: $(getconf _NPROCESSORS_ONLN) cores, load $(python3 -c 'import os; print("%.2f" % os.getloadavg()[0])')"
echo
echo "| wt diff          | workers | tmux | git | bd | total calls | median wall (10 runs) | raw tmux+git+bd calls alone |"
echo "|------------------|---------|------|-----|----|-------------|------------------------|-----------------------------|"
for shape in "1 1" "1 6" "4 1"; do
  set -- $shape
  nproj=$1 nwork=$2
  tmux -L "$SOCK" kill-server 2>/dev/null || true
  rm -rf "$TMP"/p* "$TMP/wt" "$TMP/state"
  projects=""
  for i in $(seq "$nproj"); do make_repo "p$i" "$nwork"; projects="$projects p$i"; done
  manifest "$TMP/wt.yaml" 0.2 "$projects" "$nwork"
  "$WT" apply --yes -f "$TMP/wt.yaml" >/dev/null
  live=$(tmux -L "$SOCK" list-sessions 2>/dev/null | wc -l)
  calls=$(WT_CALL_STATS=1 "$WT" diff -f "$TMP/wt.yaml" 2>&1 >/dev/null | grep '^calls:')
  times=$(for r in $(seq 10); do s=$(now); "$WT" diff -f "$TMP/wt.yaml" >/dev/null; e=$(now); awk "BEGIN{print $e - $s}"; done | median)
  raw=$(for r in $(seq 10); do s=$(now)
    tmux -L "$SOCK" list-panes -a -F '#{session_name}' >/dev/null
    for p in $projects; do git -C "$TMP/$p" worktree list --porcelain >/dev/null
      (cd "$TMP/$p" && "$BD" ready --json -n 0 >/dev/null && "$BD" list --status open,in_progress -n 0 --json >/dev/null); done
    e=$(now); awk "BEGIN{print $e - $s}"; done | median)
  get() { echo "$calls" | tr ' ' '\n' | grep "^$1=" | cut -d= -f2; }
  printf "| %d project x %d | %7s | %4s | %3s | %2s | %11s | %20.3f s | %25.3f s |\n" \
    "$nproj" "$nwork" "$live" "$(get tmux)" "$(get git)" "$(get bd)" "$(get total)" "$times" "$raw"
done

echo
echo "| wt apply, 6 workers, agent start 2 s | wall | serial estimate (6 x 2 s) | prompts delivered |"
echo "|--------------------------------------|------|---------------------------|-------------------|"
tmux -L "$SOCK" kill-server 2>/dev/null || true
rm -rf "$TMP"/p* "$TMP/wt" "$TMP/state"
make_repo p1 6
manifest "$TMP/wt.yaml" 2 p1 6
s=$(now)
out=$("$WT" apply --yes -f "$TMP/wt.yaml")
e=$(now)
delivered=$(echo "$out" | grep -c 'prompt delivered' || true)
printf "| %-36s | %4.1f s | %25s | %17s |\n" "parallel apply" "$(awk "BEGIN{print $e - $s}")" "12 s + overhead" "$delivered of 6"
