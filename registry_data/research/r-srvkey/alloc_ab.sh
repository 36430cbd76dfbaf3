#!/bin/bash
# alloc_ab.sh ROUNDS TREE CONF...: sweep.py (2 runs.run of the 10 M bench spec a process) with each
# _RJEM_MALLOC_CONF in turn ("" = the project's own, pipeline.ALLOCATOR_OPTIONS), ROUNDS times
here=$(cd $(dirname $0) && pwd); rounds=$1; tree=$2; shift 2
for r in $(seq 1 $rounds); do
  for conf in "$@"; do
    full="dirty_decay_ms:1000,muzzy_decay_ms:0${conf:+,$conf}"
    TAG="[$conf] psi $(awk '/some/ {print $2}' /proc/pressure/cpu)" _RJEM_MALLOC_CONF=$full PYTHONPATH=$tree:$here \
      ${PY:-/work/wt/srvkey/.venv/bin/python} $here/sweep.py 2 10000000 2>&1 | grep " run "
  done
done
