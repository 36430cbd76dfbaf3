"""The per-chunk Python of node.build: fit_cuts, check_plan and the whole build, ms CPU a chunk (README, "forms not
taken"): ``PYTHONPATH=. python .../build_micro.py``."""
import time, resource
from dataclasses import replace
from pipeline import runs
from pipeline.bench import synthetic_spec
from pipeline.runs import partitions, sizing
from pipeline.runs.typed import text_enums
from pipeline.spec import parse_spec
from pipeline.studies import node, check_plan
def cpu():
    u = resource.getrusage(resource.RUSAGE_SELF); return u.ru_utime + u.ru_stime
p = runs.prepare(parse_spec(synthetic_spec(11), "bench"))
enums = text_enums(p.catalogs, "node")
space = partitions.block_space(p, p.space.model_side, False, enums)
side = partitions.sorted_side(space, "hardware", frozenset())
grouped = replace(space, grouped_by="hardware")
chunks = [hw for hw, _ in sizing.pieces(grouped, "node", hardware_side=side, key="hardware", cut=False)]
plans = [node.build(grouped, hw) for hw in chunks]
N = 50
c = cpu()
for _ in range(N):
    for hw in chunks: node.fit_cuts(hw, "hardware")
print(f"fit_cuts per chunk {(cpu()-c)/N/len(chunks)*1e3:.2f} ms")
c = cpu()
for _ in range(N):
    for pl_ in plans: check_plan(pl_, node.SCHEMA)
print(f"check_plan per chunk {(cpu()-c)/N/len(chunks)*1e3:.2f} ms")
c = cpu()
for _ in range(N // 5):
    for hw in chunks: node.build(grouped, hw)
print(f"build per chunk {(cpu()-c)/(N//5)/len(chunks)*1e3:.2f} ms")
