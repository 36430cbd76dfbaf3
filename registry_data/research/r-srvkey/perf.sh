#!/bin/bash
# usage: perf.sh TREE OUT [SCRIPT ARGS...]: perf record (cpu-clock, all threads, call graphs) of SCRIPT's timed part
# (default collects.py; firstbuild.py 4 for a block's first builds), enabled once the script has prepared (READY)
here=$(cd $(dirname $0) && pwd); tree=$1; out=$2; shift 2; script=${1:-collects.py}; shift
ctl=$(mktemp -u /tmp/srvkey-ctl.XXXX); go=$(mktemp -u /tmp/srvkey-go.XXXX); rdy=$(mktemp -u /tmp/srvkey-rdy.XXXX)
mkfifo $ctl
cd /tmp && PYTHONPATH=$tree:$here perf record -e cpu-clock -F 999 -g -D -1 --control fifo:$ctl -o $out -- \
  ${PY:-/work/wt/srvkey/.venv/bin/python} $here/$script "$@" $rdy $go > $out.log 2>&1 &
exec 9>$ctl
until [ -e $rdy ]; do sleep 0.2; done
echo enable >&9; touch $go
wait; rm -f $go $ctl $rdy; cat $out.log
