"""Medians of alternate.sh's outputs: `python summary.py alternate-*.txt`: per tree the end-to-end and sweep CPU s
(median, mean, rounds) and the median of each round's tree - base difference (the pair of runs of one round)."""
import re
import statistics as st
import sys

runs = {}  # (file, round) -> {tree: (e2e cpu, sweep cpu)}
for path in sys.argv[1:]:
    for line in open(path):
        m = re.match(r"round (\d+) (\S+) rate \S+ cpu ([\d.]+) sweep [\d.]+ s / ([\d.]+)", line)
        if m:
            runs.setdefault((path, m[1]), {})[m[2]] = (float(m[3]), float(m[4]))
trees = sorted({t for r in runs.values() for t in r})
for i, name in enumerate(("end to end", "sweep")):
    for t in trees:
        xs = [r[t][i] for r in runs.values() if t in r]
        print(f"{name:10s} {t:12s} median {st.median(xs):.2f} mean {st.mean(xs):.2f} n {len(xs)}")
    base, tree = trees
    diffs = [r[tree][i] - r[base][i] for r in runs.values() if len(r) == 2]
    print(f"{name:10s} {tree} - {base}: median {st.median(diffs):+.2f}, mean {st.mean(diffs):+.2f}, "
          f"lower in {sum(d < 0 for d in diffs)} of {len(diffs)} rounds")
