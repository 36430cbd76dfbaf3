"""The length-free split's decode part on the 10 M-row serving bench's first block (a run's: apart columns out): its
table's CPU s with all its columns, with `decode_pass_rest_batch_moving_time_s` (the one column of 88 x 5,726 pairs;
the others read 86 x 3,822 at most) alone, and without it on its own keys' classes, R rounds:
`PYTHONPATH=TREE:. python decode_part.py [R]`."""
import sys
from dataclasses import replace

import common
from common import cpu
from pipeline import formulas
from pipeline.runs import partitions, sizing
from pipeline.runs.typed import text_enums
from pipeline.studies import per_key, serving

p = common.prepared(10_000_000)
enums = text_enums(p.catalogs, "serving")
block = next(sizing.model_blocks(p.space, "serving", True))
captured = []
table = per_key._table


def capture(group, htable, mtable, rechunk=True):
    if "decode_pass_rest_batch_moving_time_s" in group.columns and not group.parts:
        captured.append((group, htable, mtable))
    return table(group, htable, mtable, rechunk)


per_key._table = capture
per_key.forget()
space = partitions.block_space(p, block, False, enums)
side = partitions.sorted_side(space, "hardware", frozenset())
p.study.build(replace(space, grouped_by="hardware"), next(iter(sizing.chunks(space, hardware_side=side)))[0])
group, htable, mtable = captured[0]
per_key._table = table
moving = "decode_pass_rest_batch_moving_time_s"
rest = tuple(c for c in group.columns if c != moving)
registry = {n: f for n, f in serving.FORMULAS.items() if n not in space.units}
keys = formulas.inputs_used(space.units, list(rest), registry)
hk, mk = tuple(k for k in group.hardware if k in keys), tuple(k for k in group.model if k in keys)
h2, m2 = per_key.classes(htable, hk)[0], per_key.classes(mtable, mk)[0]
print(f"part {htable.height} x {mtable.height}; without {moving}: {h2.height} x {m2.height}")
variants = {"all": (group, htable, mtable), "moving alone": (replace(group, columns=(moving,)), htable, mtable),
            "the rest, own classes": (replace(group, columns=rest, hardware=hk, model=mk), h2, m2)}
for _ in range(int(sys.argv[1]) if len(sys.argv) > 1 else 3):
    line = []
    for name, args in variants.items():
        c = cpu()
        table(*args)
        line.append(f"{name} {cpu() - c:.3f}")
    print("; ".join(line) + " CPU s")
