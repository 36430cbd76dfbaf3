"""``constant_columns.one_valued(space, chunk)`` as a chunk's build calls it (training's ``build`` does, every chunk),
on the bench spec of STUDY (1 batch: the sides' columns, not their rows, set its cost) with a chunk of 20 hardware
rows, ms of CPU, median of 30 (the sides' own found once before): `PYTHONPATH=TREE python one_valued_cost.py STUDY`."""
import statistics
import sys

from pipeline import runs
from pipeline.bench import synthetic_spec
from pipeline.spec import parse_spec
from pipeline.studies.constant_columns import one_valued
from common import cpu

study = sys.argv[1]
p = runs.prepare(parse_spec(synthetic_spec(1, study), "bench"))
side = p.space.hardware_side
chunk = side.slice(min(20, max(side.height - 20, 0)), 20)
one_valued(p.space, chunk)
times = []
for _ in range(30):
    c = cpu()
    one_valued(p.space, chunk)
    times.append(cpu() - c)
print(f"{study}: hardware side {side.shape}, model side {p.space.model_side.shape}: one_valued on a chunk of "
      f"{chunk.height} rows {statistics.median(times) * 1000:.2f} ms")
