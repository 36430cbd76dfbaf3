#!/bin/bash
# The node bench on each tree in turn, the order reversed every other round, with the host's CPU pressure before each.
# usage: alternate_bench.sh ROUNDS PYTHON TREE [TREE ...]   (a tree: `git archive main | tar -x -C DIR`, a patch applied)
rounds=$1 py=$2; shift 2
trees=("$@")
for r in $(seq 1 "$rounds"); do
  order=("${trees[@]}")
  if [ $((r % 2)) -eq 0 ]; then order=(); for ((i=${#trees[@]}-1; i>=0; i--)); do order+=("${trees[i]}"); done; fi
  for t in "${order[@]}"; do
    echo "== round $r tree $t $(date -u +%H:%M:%S) $(head -1 /proc/pressure/cpu)"
    (cd "$t" && "$py" -m pipeline bench --study node --peers /tmp/peers-venv/bin/python --calls 100 2>&1 \
       | grep -v "^compute only")
  done
done
