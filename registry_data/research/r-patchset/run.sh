#!/bin/bash
# One combination, measured: run.sh NAME PATCH... builds /tmp/ps/NAME (git archive HEAD of this worktree, the patches
# applied with git apply, CHANGELOG and baseline.json hunks left out), runs both.py there (make_baseline's JSON to
# /tmp/ps/out/NAME.json, its metric lines to NAME.lines, `time` to NAME.time, the validation table to
# /tmp/ps/val/NAME) and r-v60/errors.py on it (NAME.v60). PATCH: a path from the repository root or absolute.
# PREP (environment, optional): a command run in the copy after the patches, before both.py (the what-ifs F2, K).
set -e
root=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
n=$1; shift
d=/tmp/ps/$n; rm -rf "$d" /tmp/ps/val/$n; mkdir -p "$d" /tmp/ps/out /tmp/ps/val
git -C "$root" archive HEAD | tar -x -C "$d"
for p in "$@"; do
  case $p in /*) ;; *) p=$root/$p;; esac
  (cd "$d" && git apply --exclude=CHANGELOG.md --exclude=tests/validation/baseline.json "$p")
done
cd "$d"
PY="$root/.venv/bin/python"  # for PREP
if [ -n "$PREP" ]; then PYTHONPATH="$d" eval "$PREP"; fi
( time PYTHONPATH="$d" "$root/.venv/bin/python" registry_data/research/r-patchset/both.py /tmp/ps/val/$n \
    > /tmp/ps/out/$n.json 2> /tmp/ps/out/$n.lines ) 2> /tmp/ps/out/$n.time
"$root/.venv/bin/python" "$root/registry_data/research/r-v60/errors.py" /tmp/ps/val/$n > /tmp/ps/out/$n.v60 2>&1
