"""CPU seconds of the node bench sweep's parts in one warm process, as ``partitions.write_study`` runs them, nothing
written: the schema plan (a build on no rows), each chunk's ``build`` (chunk 0's with its per-key tables: the cache
emptied first), each chunk's typed collect. Minimum of REPS repetitions.

    PYTHONPATH=TREE .venv/bin/python registry_data/research/r-nodespd/sweep_parts.py [BATCHES] [REPS]
"""
import resource
import sys
from dataclasses import replace

from pipeline import runs
from pipeline.bench import packaged_codec, synthetic_spec
from pipeline.runs import narrow, partitions, sizing
from pipeline.runs.typed import PARTITION_KEY, text_codes, text_enums, typed
from pipeline.spec import parse_spec
from pipeline.studies import per_key


def cpu():
    u = resource.getrusage(resource.RUSAGE_SELF)
    return u.ru_utime + u.ru_stime


batches = int(sys.argv[1]) if len(sys.argv) > 1 else 11
reps = int(sys.argv[2]) if len(sys.argv) > 2 else 3
p = runs.prepare(parse_spec(synthetic_spec(batches) | {"output": {"compression": packaged_codec("node")}}, "bench"))
study, key = p.study, PARTITION_KEY["node"]
enums = text_enums(p.catalogs, "node")
seconds = {}
for rep in range(reps):
    per_key.forget()
    times = {}
    c = cpu()
    space = partitions.block_space(p, p.space.model_side, False, enums)
    side = partitions.sorted_side(space, key, frozenset())
    texts = text_codes([p.space.hardware_side, p.space.model_side], ())
    plan = study.build(space, side.head(0))
    dtypes = plan.frame.collect_schema()
    shape = narrow.layout(p, dtypes, None)
    times["schema plan + layout"] = cpu() - c
    grouped = replace(space, grouped_by=key)
    for i, (hw, _model) in enumerate(sizing.pieces(grouped, "node", hardware_side=side, key=key, cut=False)):
        c = cpu()
        frame = typed(study.build(grouped, hw).frame, "node", "r", texts, shape, enums, dtypes)
        times[f"build {i}"] = cpu() - c
        c = cpu()
        rows = frame.collect(optimizations=partitions.collect_flags(study))
        times[f"collect {i} ({rows.height:,} rows)"] = cpu() - c
    for k, v in times.items():
        seconds.setdefault(k, []).append(v)
print(f"{p.rows:,} rows; CPU s, min of {reps} (max)")
for k, v in seconds.items():
    print(f"  {k:34s} {min(v):.3f} ({max(v):.3f})")
print(f"  {'total':34s} {sum(min(v) for v in seconds.values()):.3f}")
