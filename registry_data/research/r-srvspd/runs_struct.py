"""`hardware_runs.runs`' starts by one expression a key (as main) against one struct of the keys (hardware_runs_struct.patch): time and equality on the bench side, nulls, -0.0 and NaN: `PYTHONPATH=TREE python runs_struct.py`"""
import time, statistics
import polars as pl
from dataclasses import replace
from pipeline import runs
from pipeline.bench import synthetic_spec
from pipeline.spec import parse_spec
from pipeline.studies import per_key, serving, hardware_runs
from pipeline.runs import partitions, sizing
from pipeline.runs.typed import text_enums
probe = runs.prepare(parse_spec(synthetic_spec(1, "serving"), "bench")).rows
per_key.forget()
p = runs.prepare(parse_spec(synthetic_spec(10, "serving"), "bench"))
space = partitions.block_space(p, p.space.model_side, False, text_enums(p.catalogs, "serving"))
side = partitions.sorted_side(space, "hardware", frozenset())
sp = replace(space, grouped_by="hardware")
keys = serving._run_keys(sp)
def orig(hw):
    changed = pl.col(keys).ne_missing(pl.col(keys).shift(1))
    return hw.select(pl.any_horizontal(changed).fill_null(True)).to_series().scatter(0, True)
def struct(hw):
    s = pl.struct(keys)
    return hw.select(s.ne_missing(s.shift(1)).fill_null(True)).to_series().scatter(0, True)
def frames(hw):
    k = hw.select(keys)
    # rows equal to the row before: a row-wise comparison of the frame with itself shifted by one
    a, b = k.slice(1), k.slice(0, k.height - 1)
    eq = pl.concat([a, b.rename(lambda c: c + "_")], how="horizontal").select(pl.all_horizontal(pl.col(c).eq_missing(pl.col(c + "_")) for c in keys)).to_series()
    return pl.concat([pl.Series([True]), ~eq])
for n in (20, 126):
    hw = side.slice(0, n)
    for f in (orig, struct):
        ts = []
        for i in range(20):
            t = time.process_time(); r = f(hw); ts.append(time.process_time() - t)
        print(n, f.__name__, f"{statistics.median(ts)*1000:.2f} ms", r.sum(), r.equals(orig(hw)))
# nulls and mixed
toy = pl.DataFrame({"a": [1.0, 1.0, None, None, 2.0, 2.0], "b": ["x", "x", None, None, None, "y"], "c": [None, None, None, 1, 1, 1]})
keys = ["a", "b", "c"]
print(orig(toy).to_list(), struct(toy).to_list())
import math
toy2 = pl.DataFrame({"a": [0.0, -0.0, math.nan, math.nan, 1.0], "b": [1, 1, 1, 1, None]})
keys = ["a", "b"]
print(orig(toy2).to_list(), struct(toy2).to_list())
