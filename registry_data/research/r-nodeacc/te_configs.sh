#!/bin/sh
# Which MLPerf Training BERT configs run NVIDIA's Transformer Engine path (fp8_autocast, fp8 GEMMs): README §2.
# Usage: te_configs.sh <mirror of mlcommons/training_results_vX.Y> (a bare repository, e.g. from the `fetch` tool).
cd "$1" || exit 1
for f in $(git ls-tree -r --name-only HEAD | grep "/benchmarks/bert/implementations/.*config.*\.sh$" \
           | grep -v common | grep -v mounts); do
  if git show "HEAD:$f" | grep -v "^\s*#" | grep -q "EXTRA_PARAMS"; then
    echo "$(git show "HEAD:$f" | grep -v "^\s*#" | grep -c "use_transformer_engine2") $f"
  fi
done | awk '{c[$1]++; if ($1 == 0) print "without: " $2} END {for (k in c) print "flag=" k ": " c[k] " configs"}'
