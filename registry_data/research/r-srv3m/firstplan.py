"""The first plan's CPU: process (all threads) vs the main thread's own, and a cProfile of the main thread:
PYTHONPATH=TREE python firstplan.py N [profile]"""
import cProfile, pstats, statistics, sys, time
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "r-srvspd"))
from common import cpu, prepared, grouped
from pipeline.studies import per_key

n = int(sys.argv[1])
p = prepared()
out = []
for rep in range(n):
    per_key.forget()
    enums, space, side, sp = grouped(p)
    c, tc, t = cpu(), time.thread_time(), time.perf_counter()
    if len(sys.argv) > 2 and rep == n - 1:
        pr = cProfile.Profile(); pr.enable()
    plan = p.study.build(space, side.head(0))
    if len(sys.argv) > 2 and rep == n - 1:
        pr.disable()
    out.append((cpu() - c, time.thread_time() - tc, time.perf_counter() - t))
for o in out:
    print(f"process CPU {o[0]:.3f}  main thread CPU {o[1]:.3f}  wall {o[2]:.3f}")
if len(sys.argv) > 2:
    pstats.Stats(pr).sort_stats("tottime").print_stats(25)
