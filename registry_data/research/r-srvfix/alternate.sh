#!/bin/bash
# usage: alternate.sh ROUNDS DIR_A DIR_B ... : `python -m pipeline bench --study serving --rows ROWS` (default 3 M) in
# each directory (a `git archive` copy of a tree) in turn, ROUNDS times, nothing niced; per run the end-to-end wall and
# rows/s, CPU s, the sweep's wall / CPU s, fits' wall and CPU s, peak RSS, and the host's CPU pressure ("some avg10")
# before and after. PY: the interpreter (default this worktree's .venv); OUT: round 1's runs kept in OUT/<tree>.
rounds=$1; shift
PY=${PY:-/work/wt/srvfix/.venv/bin/python}
for r in $(seq $rounds); do
  for d in "$@"; do
    extra=()
    if [ -n "$OUT" ] && [ "$r" = 1 ]; then extra=(--out "$OUT/$(basename $d)"); fi
    before=$(head -1 /proc/pressure/cpu | sed -E 's/some avg10=([0-9.]+).*/\1/')
    out=$(cd $d && PYTHONPATH=$d $PY -m pipeline bench --study serving --rows ${ROWS:-3000000} "${extra[@]}" 2>&1)
    after=$(head -1 /proc/pressure/cpu | sed -E 's/some avg10=([0-9.]+).*/\1/')
    e2e=$(echo "$out" | grep "end to end")
    wall=$(echo "$e2e" | sed -E 's/.* rows in ([0-9.]+) s = .*/\1/')
    rate=$(echo "$e2e" | sed -E 's/.*= ([0-9,]+) rows\/s.*/\1/')
    cpu=$(echo "$e2e" | sed -E 's/.*; ([0-9.]+) CPU s, all threads.*/\1/')
    sweep=$(echo "$e2e" | sed -E 's/.*the sweep ([0-9.]+ s \/ [0-9.]+) CPU s.*/\1/')
    fits=$(echo "$e2e" | sed -E 's/.*`fits` ([0-9.]+ s), [0-9,]+ rows, ([0-9.]+) CPU s\).*/\1 \/ \2/')
    rss=$(echo "$out" | grep "peak RSS" | sed -E 's/peak RSS: *([0-9,]+) MB.*/\1/')
    echo "round $r $(basename $d): $wall s = $rate rows/s, $cpu CPU s; sweep $sweep; fits $fits; RSS $rss MB;" \
         "pressure $before -> $after %"
    [ -z "$rate" ] && echo "$out" | tail -5
  done
done
