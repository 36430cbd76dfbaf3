"""Why `written_only.patch` made the 10 M-row bench's chunk collects dearer: the first block's second chunk's typed
plan with the space's ``written_only`` off and on (TREE: with the patch): the run keys and hardware runs (the same),
the plan's length, and the columns only one of the two plans names (on: decode attention's inputs computed per row,
its table being over ``per_key.MAX_TABLE_ROWS``, where off gathers them from the apart tables):
`PYTHONPATH=TREE:. python fallback_plan.py`."""
import common
from pipeline.runs import sizing
from pipeline.runs.typed import text_enums
from pipeline.studies import serving, hardware_runs
p = common.prepared(10_000_000)
enums = text_enums(p.catalogs, "serving")
block = next(sizing.model_blocks(p.space, "serving", True))
res = {}
for flag in (False, True):
    plan = common.block_plan(p, block, enums, written_only=flag)
    keys = serving._run_keys(plan.space)
    hw = plan.pieces[1]
    r = hardware_runs.runs(hw, keys)
    ex = common.typed_chunk(plan, hw).explain()
    res[flag] = (keys, r.height if r is not None else None, ex)
    print(flag, len(keys), hw.height, None if r is None else r.height, len(ex))
print(set(res[True][0]) ^ set(res[False][0]))
import re
a = set(re.findall(r'col\("([^"]+)"\)', res[False][2])); b = set(re.findall(r'col\("([^"]+)"\)', res[True][2]))
print("only written_only:", sorted(b - a)[:80]); print("only not:", sorted(a - b)[:80])
