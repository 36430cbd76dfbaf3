#!/bin/bash
# usage: alternate.sh ROUNDS DIR_A DIR_B ... : `python -m pipeline bench --study serving --rows 3000000` in each
# directory (a `git archive` copy of a tree) in turn, ROUNDS times; prints per run the end-to-end rows/s, the
# end-to-end CPU s, the sweep's wall and CPU s and `fits`' CPU s, the peak RSS and the load average. ROWS, PY (the
# interpreter, default /work/main/.venv/bin/python) and OUT (round 1's runs kept in OUT/<tree>) may be set
# (r-srvspd4's alternate.sh sets them).
rounds=$1; shift
PY=${PY:-/work/main/.venv/bin/python}
for r in $(seq $rounds); do
  for d in "$@"; do
    extra=()
    if [ -n "$OUT" ] && [ "$r" = 1 ]; then extra=(--out "$OUT/$(basename $d)"); fi
    out=$(cd $d && PYTHONPATH=$d nice $PY -m pipeline bench --study serving --rows ${ROWS:-3000000} "${extra[@]}" 2>&1)
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
