"""The training bench's streamed source (``gathered_pairs.gathered``): the columns the plan asks of it, by side, and
the source's own CPU (each cut taken, no plan) over the run's pieces.

    PYTHONPATH=TREE .venv/bin/python registry_data/research/r-trspd/source_columns.py [BATCHES]
"""
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

from pipeline import runs
from pipeline.bench import packaged_codec, synthetic_spec
from pipeline.runs import streamed
from pipeline.spec import parse_spec
from pipeline.studies import gathered_pairs

batches = int(sys.argv[1]) if len(sys.argv) > 1 else 1
prepared = runs.prepare(parse_spec(synthetic_spec(batches, "training")
                                   | {"output": {"compression": packaged_codec("training")}}, "bench"))
calls = []
original = gathered_pairs.gathered


def recorded(hw, model, row_filter, columns, rows):
    calls.append((hw, model, row_filter, list(columns), rows))
    return original(hw, model, row_filter, columns, rows)


streamed.gathered = recorded
d = Path(tempfile.mkdtemp(prefix="trspd-src-"))
runs.run(prepared, d)
shutil.rmtree(d)
hw, model, _, columns, _ = calls[0]
at_hw = [c for c in columns if c in hw.columns]
at_model = [c for c in columns if c not in hw.columns]
print(f"{len(calls)} gathers; {len(columns)} columns asked: {len(at_hw)} hardware-side, {len(at_model)} model-side")
print("model-side:", ", ".join(at_model))
print("hardware-side:", ", ".join(at_hw))
u = resource.getrusage(resource.RUSAGE_SELF)
c0, rows = u.ru_utime + u.ru_stime, 0
for hw, model, row_filter, columns, size in calls:
    for frame in original(hw, model, row_filter, columns, size):
        rows += frame.height
u = resource.getrusage(resource.RUSAGE_SELF)
print(f"the source alone: {rows:,} rows, {u.ru_utime + u.ru_stime - c0:.2f} CPU s")
