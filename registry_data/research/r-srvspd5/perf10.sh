#!/bin/bash
# usage: perf10.sh TREE N OUT [ROWS]: perf (cpu-clock, all threads, call graphs) of N runs.run of the serving bench
# spec at ROWS (default 10 M) on TREE with the worktree's .venv python, enabled once the spec is prepared
# (attach10.py waits for the go file); r-srvspd's perf_sweep.sh at 10 M rows.
tree=$1; n=$2; out=$3; rows=${4:-10000000}; go=$(mktemp -u /tmp/srvspd5-go.XXXX); ctl=$(mktemp -u /tmp/srvspd5-ctl.XXXX)
here=$(cd $(dirname $0) && pwd)
mkfifo $ctl
cd /tmp && PYTHONPATH=$tree:$here perf record -e cpu-clock -F 499 -g -D -1 --control fifo:$ctl -o $out -- \
  /work/wt/srvspd5/.venv/bin/python $here/attach10.py $n $go $rows > $out.log 2>&1 &
exec 9>$ctl
until grep -q ready $out.log 2>/dev/null; do sleep 0.2; done
echo enable >&9; touch $go
wait; rm -f $go $ctl; cat $out.log
