#!/bin/bash
# usage: alternate.sh ROUNDS DIR_A DIR_B ...: r-srvspd's alternate.sh (loaded from its folder, not copied) with its
# `nice` made a no-op (the timed runs are not niced): `python -m pipeline bench --study serving --rows 3000000` in
# each directory (a `git archive` copy of a tree) in turn; per run rows/s, end-to-end CPU s, the sweep's and fits' CPU
# s, peak RSS, load.
nice() { "$@"; }
export -f nice
exec bash "$(dirname "$0")/../r-srvspd/alternate.sh" "$@"
