"""Summarise a py-spy raw profile (``py-spy record -f raw -t``): samples per thread and innermost ``pipeline`` frame.

    python registry_data/research/r-nodespd/spy_summary.py PROFILE.txt [DEPTH] [FILTER]
"""
import collections
import re
import sys

depth = int(sys.argv[2]) if len(sys.argv) > 2 else 1
only = sys.argv[3] if len(sys.argv) > 3 else None
agg = collections.Counter()
for line in open(sys.argv[1]).read().splitlines():
    stack, n = line.rsplit(" ", 1)
    frames = stack.split(";")
    if only and not any(only in f for f in frames):
        continue
    thread = re.sub(r"\(\d+\)", "", frames[0])
    ours = [f for f in frames if "(pipeline/" in f]
    agg[(thread, " <- ".join(reversed(ours[-depth:])) if ours else frames[-1][:100])] += int(n)
for (thread, where), n in sorted(agg.items(), key=lambda kv: -kv[1])[:40]:
    print(f"{n:5d} {thread[:28]:28s} {where[:220]}")
