#!/bin/bash
# usage: tl_alt.sh ROUNDS OUTDIR TREE... : tl_run.py (2 runs, the second recorded) per tree, alternated; tl_report.py's summary
here=$(cd $(dirname $0) && pwd); rounds=$1; out=$2; shift 2; mkdir -p $out
for r in $(seq 1 $rounds); do
  for t in "$@"; do
    n=$(basename $t)
    p0=$(awk '/some/ {print $2}' /proc/pressure/cpu)
    PYTHONPATH=$t ${PYTHON:-python} $here/tl_run.py $out/$n-$r.txt 2 > /dev/null 2>&1
    echo "round $r $n (pressure $p0 -> $(awk '/some/ {print $2}' /proc/pressure/cpu)):"; python3 $here/tl_report.py $out/$n-$r.txt | tail -3
  done
done
