"""Why `written_only.patch` made the 10 M-row bench's chunk collects dearer: the first block's second chunk's typed
plan with the space's ``written_only`` off and on (TREE: with the patch): the run keys and hardware runs (the same),
the plan's length, and the columns only one of the two plans names (on: decode attention's inputs computed per row,
its table being over ``per_key.MAX_TABLE_ROWS``, where off gathers them from the apart tables):
`PYTHONPATH=TREE:. python fallback_plan.py`."""
import sys
from dataclasses import replace
import common
from pipeline.runs import narrow, partitions, sizing
from pipeline.runs.typed import text_codes, text_enums, typed
from pipeline.studies import per_key, serving, hardware_runs
p = common.prepared(10_000_000)
enums = text_enums(p.catalogs, "serving")
block = next(sizing.model_blocks(p.space, "serving", True))
texts = text_codes([p.space.hardware_side, p.space.model_side], ())
res = {}
for flag in (False, True):
    per_key.forget()
    space = replace(partitions.block_space(p, block, False, enums), grouped_by="hardware", written_only=flag)
    side = partitions.sorted_side(space, "hardware", frozenset())
    plan = p.study.build(space, side.head(0))
    dtypes = plan.frame.collect_schema()
    shape = narrow.layout(p, dtypes, None)
    keys = serving._run_keys(space)
    hw = [hw for hw, _ in sizing.pieces(space, "serving", hardware_side=side, key="hardware", cut=False)][1]
    r = hardware_runs.runs(hw, keys)
    ex = typed(p.study.build(space, hw).frame, "serving", "rid", texts, shape, enums, dtypes).explain()
    res[flag] = (keys, r.height if r is not None else None, ex)
    print(flag, len(keys), hw.height, None if r is None else r.height, len(ex))
print(set(res[True][0]) ^ set(res[False][0]))
import re
a = set(re.findall(r'col\("([^"]+)"\)', res[False][2])); b = set(re.findall(r'col\("([^"]+)"\)', res[True][2]))
print("only written_only:", sorted(b - a)[:80]); print("only not:", sorted(a - b)[:80])
