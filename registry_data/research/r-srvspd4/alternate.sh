#!/bin/bash
# usage: alternate.sh ROUNDS ROWS DIR_A DIR_B ... : `python -m pipeline bench --study serving --rows ROWS` (not niced)
# in each directory (a `git archive` copy of a tree) in turn, ROUNDS times, with the worktree's .venv python; per run
# the end-to-end rows/s, end-to-end CPU s, the sweep's wall and CPU s, fits' CPU s, peak RSS and load: r-srvspd's
# alternate.sh (run from its folder, not copied) with the rows and the interpreter set and its `nice` a no-op. OUT=DIR
# keeps round 1's runs in DIR/<tree>.
nice() { "$@"; }
export -f nice
rounds=$1; export ROWS=$2; shift 2
export PY=${PY:-/work/wt/srvspd4/.venv/bin/python}
exec bash "$(dirname "$0")/../r-srvspd/alternate.sh" "$rounds" "$@"
