#!/bin/bash
# usage: alternate.sh ROUNDS ROWS DIR_A DIR_B ... : `python -m pipeline bench --study STUDY --rows ROWS` in each
# directory (a tree or a `git archive` copy of one) in turn, ROUNDS times, with this worktree's .venv python (PY to
# change it; STUDY, default node, may be set: r-trspd's alternate.sh sets both), not niced; per run the end-to-end
# rows/s and CPU s, the sweep's and the query's CPU s, peak RSS, and the host's CPU pressure (/proc/pressure/cpu
# "some" avg10) before the run.
rounds=$1; rows=$2; shift 2
PY=${PY:-/work/wt/nodespd/.venv/bin/python}
STUDY=${STUDY:-node}
for r in $(seq "$rounds"); do
  for d in "$@"; do
    pressure=$(head -1 /proc/pressure/cpu | sed -E 's/.*avg10=([0-9.]+).*/\1/')
    out=$(cd "$d" && PYTHONPATH="$d" "$PY" -m pipeline bench --study "$STUDY" --rows "$rows" 2>&1)
    e2e=$(echo "$out" | grep "end to end")
    rate=$(echo "$e2e" | sed -E 's/.*= ([0-9,]+) rows\/s.*/\1/')
    cpu=$(echo "$e2e" | sed -E 's/.*; ([0-9.]+) CPU s, all threads.*/\1/')
    sweep=$(echo "$e2e" | sed -E 's/.*the sweep [0-9.]+ s \/ ([0-9.]+) CPU s.*/\1/')
    query=$(echo "$e2e" | sed -E 's/.* rows, ([0-9.]+) CPU s\).*/\1/')
    rss=$(echo "$out" | grep "peak RSS" | sed -E 's/peak RSS: *([0-9,]+) MB.*/\1/')
    echo "round $r $d rate $rate cpu $cpu sweep $sweep query $query rss $rss pressure $pressure"
    [ -z "$rate" ] && echo "$out" | tail -5
  done
done
