#!/bin/bash
# usage: alternate.sh ROUNDS DIR_A DIR_B: r-srvspd3's alternate.sh (the serving bench in each `git archive` copy; its
# ROWS, PY, OUT) one round at a time, the order swapped each round (A B, B A, ...); /proc/pressure/cpu's "some" line
# before each round. OUT (round 1's runs kept in OUT/<tree>) applies to round 1 only.
rounds=$1; a=$2; b=$3
here=$(cd "$(dirname "$0")" && pwd)
keep=$OUT
for r in $(seq "$rounds"); do
  if [ $((r % 2)) = 1 ]; then order=("$a" "$b"); else order=("$b" "$a"); fi
  echo "pressure before round $r: $(grep some /proc/pressure/cpu)"
  OUT=$([ "$r" = 1 ] && echo "$keep") bash "$here/../r-srvspd3/alternate.sh" 1 "${order[@]}" \
    | sed "s/^round 1 /round $r /"
done
