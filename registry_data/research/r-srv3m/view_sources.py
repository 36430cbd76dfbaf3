"""CPU s of the database's SELECT generation (view_source, memory_source, keys_source) on a run, warm, medians of N;
and a first (cold) call of each in a fresh process: PYTHONPATH=TREE python view_sources.py RUN N"""
import resource, statistics, sys, time
from pathlib import Path
from pipeline.runs import views
from pipeline.runs.database import MACRO_FOLDER
run, n = Path(sys.argv[1]).resolve(), int(sys.argv[2])
def cpu():
    u = resource.getrusage(resource.RUSAGE_SELF); return u.ru_utime + u.ru_stime
calls = {"view_source": lambda: views.view_source(run, "", "serving", MACRO_FOLDER),
         "keys_source": lambda: views.keys_source(run, "", "serving"),
         "memory_source": lambda: views.memory_source(run, "", "serving")}
first = {}
for k, f in calls.items():
    c = cpu(); f(); first[k] = cpu() - c
res = {k: [] for k in calls}
for i in range(n):
    for k, f in calls.items():
        c = cpu(); f(); res[k].append(cpu() - c)
for k in calls:
    print(f"{k:14s} first {first[k]:.4f}  warm median {statistics.median(res[k]):.4f}")
print("sum warm", round(sum(statistics.median(v) for v in res.values()), 4), "sum first", round(sum(first.values()), 4))
