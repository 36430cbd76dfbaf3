"""The length-free split's parts on the 10 M-row serving bench's first block: per part its pairs (hardware x model
classes) and per column the classes of the keys that column alone reads (apart columns marked; with
`written_only.patch` applied, the run's tables leave them out):
`PYTHONPATH=TREE:. python part_keys.py`."""
import common
from pipeline import formulas
from pipeline.runs import partitions, sizing
from pipeline.runs.typed import text_enums
from pipeline.studies import serving, serving_precomputed as precomputed

p = common.prepared(10_000_000)
enums = text_enums(p.catalogs, "serving")
s = partitions.block_space(p, next(sizing.model_blocks(p.space, "serving", True)), False, enums)
groups = precomputed.groups(s, serving._computed(s), serving.FORMULAS, serving.SHARED, serving._written(s))
registry = {n: f for n, f in serving.FORMULAS.items() if n not in s.units}
hw, model = s.hardware_side, s.model_side


def n(frame, keys):
    return frame.select(sorted(keys)).n_unique() if keys else 1


for g in groups[:1]:
    for q in g.parts:
        print(f"part {n(hw, q.hardware)} x {n(model, q.model)}: {len(q.hardware)} hw keys, {len(q.model)} model keys")
        for c in q.columns:
            read = formulas.inputs_used(s.units, [c], registry)
            print(f"    {c}: {n(hw, read & set(q.hardware))} x {n(model, read & set(q.model))} "
                  f"({len(read & set(q.model))} model keys){' apart' if c in g.apart else ''}")
