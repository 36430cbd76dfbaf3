#!/bin/bash
# usage: prologue_ab.sh ROUNDS REPS DIR_A DIR_B ...: in each directory (a tree's `git archive` copy) in turn, one
# process building the serving bench spec's first chunk's plan REPS times (the per-key tables and classes built
# each time, as the sweep's prologue does: `per_key.forget()` before each), printing the median CPU s of the builds
# and of a collect of the second chunk's plan (cached tables: the per-chunk work).
here=$(cd $(dirname $0) && pwd)
rounds=$1; reps=$2; shift 2
for r in $(seq $rounds); do
  for d in "$@"; do
    echo "round $r $(basename $d) $(cd /tmp && PYTHONPATH=$d nice /work/main/.venv/bin/python $here/prologue_cpu.py $reps)"
  done
done
