#!/bin/bash
# usage: alternate.sh ROUNDS ROWS DIR_A DIR_B ... : `python -m pipeline bench --study serving --rows ROWS` (not niced)
# in each directory (a `git archive` copy of a tree) in turn, ROUNDS times, with the worktree's .venv python; per run
# the end-to-end rows/s, end-to-end CPU s, the sweep's wall and CPU s, fits' CPU s, peak RSS and load (r-srvspd's
# alternate.sh with the rows, the sweep's wall and the interpreter as arguments). OUT=DIR keeps round 1's runs in
# DIR/<tree>.
PY=${PY:-/work/wt/srvspd4/.venv/bin/python}
rounds=$1; rows=$2; shift 2
for r in $(seq $rounds); do
  for d in "$@"; do
    extra=()
    if [ -n "$OUT" ] && [ "$r" = 1 ]; then extra=(--out "$OUT/$(basename $d)"); fi
    out=$(cd $d && PYTHONPATH=$d $PY -m pipeline bench --study serving --rows $rows "${extra[@]}" 2>&1)
    e2e=$(echo "$out" | grep "end to end")
    rate=$(echo "$e2e" | sed -E 's/.*= ([0-9,]+) rows\/s.*/\1/')
    cpu=$(echo "$e2e" | sed -E 's/.*; ([0-9.]+) CPU s, all threads.*/\1/')
    sweep=$(echo "$e2e" | sed -E 's/.*the sweep ([0-9.]+ s \/ [0-9.]+) CPU s.*/\1/')
    fits=$(echo "$e2e" | sed -E 's/.* rows, ([0-9.]+) CPU s\).*/\1/')
    rss=$(echo "$out" | grep "peak RSS" | sed -E 's/peak RSS: *([0-9,]+) MB; load average ([0-9.]+)/\1 \2/')
    echo "round $r $(basename $d) rate $rate cpu $cpu sweep $sweep fits $fits rss/load $rss"
    [ -z "$rate" ] && echo "$out" | tail -5
  done
done
