#!/bin/bash
# usage: perf_sweep.sh TREE N OUT: perf (cpu-clock, all threads) of N runs.run of the serving bench spec on TREE,
# enabled once the spec is prepared (attach.py waits for the go file)
tree=$1; n=$2; out=$3; go=$(mktemp -u /tmp/srvspd-go.XXXX); ctl=$(mktemp -u /tmp/srvspd-ctl.XXXX)
here=$(cd $(dirname $0)/../r-srvspd && pwd)
mkfifo $ctl
cd /tmp && PYTHONPATH=$tree perf record -e cpu-clock -F 999 -g -D -1 --control fifo:$ctl -o $out -- \
  ${PYTHON:-python} $here/attach.py $n $go > $out.log 2>&1 &
exec 9>$ctl
until grep -q ready $out.log 2>/dev/null; do sleep 0.2; done
echo enable >&9; touch $go
wait; rm -f $go $ctl; cat $out.log
