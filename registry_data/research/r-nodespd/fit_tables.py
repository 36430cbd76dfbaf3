"""CPU s of chunk 0's per-key tables and classes (``per_key._table`` / ``classes`` wrapped, one table thread), two
repetitions: ``PYTHONPATH=TREE python .../fit_tables.py`` (README, the gated η key)."""
import resource, sys, time
from dataclasses import replace
from pipeline import runs
from pipeline.bench import packaged_codec, synthetic_spec
from pipeline.runs import narrow, partitions, sizing
from pipeline.runs.typed import PARTITION_KEY, text_enums
from pipeline.spec import parse_spec
from pipeline.studies import per_key
def cpu():
    u = resource.getrusage(resource.RUSAGE_SELF); return u.ru_utime + u.ru_stime
per_key.TABLE_THREADS = 1
log = []
orig_table = per_key._table
def table(group, htable, mtable, rechunk=True):
    c = cpu(); r = orig_table(group, htable, mtable, rechunk)
    log.append((f"table {group.columns} h{htable.height} x m{mtable.height} hkeys={len(group.hardware)} "
                f"mkeys={len(group.model)}", cpu() - c))
    return r
per_key._table = table
orig_classes = per_key.classes
def classes(frame, keys):
    c = cpu(); r = orig_classes(frame, keys)
    log.append((f"classes {frame.height} rows {len(keys)} keys -> {r[0].height}", cpu() - c)); return r
per_key.classes = classes
p = runs.prepare(parse_spec(synthetic_spec(11) | {"output": {"compression": "zstd"}}, "bench"))
enums = text_enums(p.catalogs, "node")
key = "hardware"
for rep in range(2):
    per_key.forget(); log.clear()
    space = partitions.block_space(p, p.space.model_side, False, enums)
    side = partitions.sorted_side(space, key, frozenset())
    c = cpu(); p.study.build(space, side.head(0)); t0 = cpu() - c
    grouped = replace(space, grouped_by=key)
    hw = next(iter(sizing.pieces(grouped, "node", hardware_side=side, key=key, cut=False)))[0]
    c = cpu(); p.study.build(grouped, hw); t1 = cpu() - c
    print(f"rep {rep}: schema plan {t0:.3f}, build 0 {t1:.3f}")
    for k, v in log: print(f"  {v:.3f} {k}")
