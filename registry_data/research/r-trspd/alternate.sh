#!/bin/bash
# usage: alternate.sh ROUNDS ROWS DIR_A DIR_B ... : `python -m pipeline bench --study training --rows ROWS` in each
# directory (a tree or a `git archive` copy of one) in turn, ROUNDS times: r-nodespd's alternate.sh with STUDY
# training and r-trspd's worktree's .venv python (PY to change it); what it prints: there.
PY=${PY:-/work/wt/trspd/.venv/bin/python} STUDY=training exec "$(dirname "$0")/../r-nodespd/alternate.sh" "$@"
