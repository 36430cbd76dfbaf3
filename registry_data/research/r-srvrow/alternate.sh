#!/bin/bash
# usage: alternate.sh ROUNDS DIR_A DIR_B ... : `python -m pipeline bench --study serving --rows 3000000` in each
# directory (a `git archive` copy of a tree) in turn, ROUNDS times; prints per run the end-to-end rows/s, the
# end-to-end CPU s, the sweep's CPU s and `fits`' CPU s, the peak RSS and the load average.
rounds=$1; shift
for r in $(seq $rounds); do
  for d in "$@"; do
    out=$(cd $d && nice /work/main/.venv/bin/python -m pipeline bench --study serving --rows 3000000 2>&1)
    e2e=$(echo "$out" | grep "end to end")
    rate=$(echo "$e2e" | sed -E 's/.*= ([0-9,]+) rows\/s.*/\1/')
    cpu=$(echo "$e2e" | sed -E 's/.*; ([0-9.]+) CPU s, all threads.*/\1/')
    sweep=$(echo "$e2e" | sed -E 's/.*the sweep [0-9.]+ s \/ ([0-9.]+) CPU s.*/\1/')
    fits=$(echo "$e2e" | sed -E 's/.* rows, ([0-9.]+) CPU s\).*/\1/')
    rss=$(echo "$out" | grep "peak RSS" | sed -E 's/peak RSS: *([0-9,]+) MB; load average ([0-9.]+)/\1 \2/')
    echo "round $r $(basename $d) rate $rate cpu $cpu sweep $sweep fits $fits rss/load $rss"
  done
done
