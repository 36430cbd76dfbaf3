#!/bin/bash
# usage: run30.sh ROUNDS DIR_A DIR_B ... : `python -m tests.runs.bench_run serving 30000000 zstd` (issue 15's memory
# figure: B/row, CPU s, wall, peak RSS, load) in each directory (a `git archive` copy of a tree) in turn, ROUNDS
# times, with the worktree's .venv python; not niced.
rounds=$1; shift
for r in $(seq $rounds); do for d in "$@"; do
  line=$(cd $d && PYTHONPATH=$d /work/wt/srvspd4/.venv/bin/python -m tests.runs.bench_run serving 30000000 zstd 2>&1)
  echo "round $r $(basename $d) $(echo "$line" | tail -1)"
done; done
