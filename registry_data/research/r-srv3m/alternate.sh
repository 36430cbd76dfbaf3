#!/bin/bash
# usage: [STUDY=S] alternate.sh ROUNDS ROWS DIR_A DIR_B ...: `python -m pipeline bench --study S --rows ROWS` in each tree
# copy in turn (the order reversed every other round), with the host's CPU pressure (some avg10) before and after
rounds=$1; rows=$2; shift 2; trees=("$@")
py=${PYTHON:-python}
for r in $(seq 1 $rounds); do
  if (( r % 2 == 0 )); then order=($(printf '%s\n' "${trees[@]}" | tac)); else order=("${trees[@]}"); fi
  for t in "${order[@]}"; do
    p0=$(awk '/some/ {print $2}' /proc/pressure/cpu)
    line=$(cd $t && $py -m pipeline bench --study ${STUDY:-serving} --rows $rows 2>&1 | grep -E "end to end|peak RSS" | tr '\n' ' ')
    p1=$(awk '/some/ {print $2}' /proc/pressure/cpu)
    echo "$(date +%H:%M:%S) round $r $(basename $t): $line | pressure $p0 -> $p1"
  done
done
