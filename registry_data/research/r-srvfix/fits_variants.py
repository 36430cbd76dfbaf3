"""fits' SQL variants on one run, `database.run_query` as the bench calls it, alternated round by round; medians of
wall and CPU s of each call and whether every variant's answer equals the first's:
`PYTHONPATH=TREE python fits_variants.py RUN N DIR [DIR ...]` (each DIR holding a fits.sql; params as KEY=VALUE after
`--`)."""
import resource
import statistics
import sys
import time

from pipeline.runs.database import run_query


def cpu():
    u = resource.getrusage(resource.RUSAGE_SELF)
    return u.ru_utime + u.ru_stime


args = sys.argv[1:]
params = {}
if "--" in args:
    params = dict(a.split("=", 1) for a in args[args.index("--") + 1:])
    args = args[:args.index("--")]
run, rounds, folders = args[0], int(args[1]), args[2:]
times = {f: [] for f in folders}
answers = {}
for _ in range(rounds):
    for folder in folders:
        w, c = time.perf_counter(), cpu()
        answers[folder] = run_query("fits", run, params, folder=folder)
        times[folder].append((time.perf_counter() - w, cpu() - c))
first = answers[folders[0]]
for folder, v in times.items():
    print(f"{folder}: wall {statistics.median(x for x, _ in v):.4f} s, CPU {statistics.median(y for _, y in v):.4f} s, "
          f"{answers[folder].height} rows, equal to {folders[0]}: {answers[folder].equals(first)}")
