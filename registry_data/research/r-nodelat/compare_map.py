"""design_space_map on two runs of the same spec (each run's own tree's view): equal row for row? Per column, the
rows that differ (NULL = NULL) and, for floats, the largest relative difference. usage: cmp.py RUN_A RUN_B"""
import sys
from pathlib import Path
import polars as pl
sys.path.insert(0, '.')
from pipeline.runs import database


def answer(run):
    con = database.confined(run, keys=False)
    out = pl.from_arrow(con.sql(Path('sql/design_space_map.sql').read_text()).to_arrow_table())
    con.close()
    return out


a, b = answer(sys.argv[1]), answer(sys.argv[2])
print(a.shape, b.shape, 'equal' if a.equals(b) else 'DIFFERENT')
if a.shape == b.shape:
    for c in a.columns:
        n = (~a[c].eq_missing(b[c])).sum()
        if n:
            rel = f', max relative difference {(a[c] / b[c] - 1).abs().max():.3g}' if a[c].dtype.is_float() else ''
            print(f'{c}: {n} rows differ{rel}')
