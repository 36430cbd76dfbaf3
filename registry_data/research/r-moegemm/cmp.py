"""The lead's comparison of two `mlsys validate --out DIR` runs (a copy of /tmp/cmp.py, lines wrapped): rows whose
|error| moved by more than 1 point, by source / metric / scenario, and the non-InferenceX medians by metric.
.venv/bin/python registry_data/research/r-moegemm/cmp.py BEFORE_DIR AFTER_DIR
"""
import glob
import sys

import polars as pl

pl.Config.set_tbl_rows(60)
pl.Config.set_tbl_width_chars(220)
pl.Config.set_fmt_str_lengths(50)
COLS = ['name', 'error_pct', 'abs_error_pct', 'log_error']
a = pl.read_parquet(glob.glob(sys.argv[1] + '/validation/*/validation.parquet')[0]).select(
    'name', 'metric', 'model', 'hardware', 'framework', 'scenario', 'error_pct', 'abs_error_pct', 'log_error')
b = pl.read_parquet(glob.glob(sys.argv[2] + '/validation/*/validation.parquet')[0]).select(COLS)
j = a.join(b, on='name', suffix='_b').filter(pl.col('error_pct').is_not_null() | pl.col('error_pct_b').is_not_null())
j = j.with_columns(d=(pl.col('abs_error_pct_b') - pl.col('abs_error_pct')))
mv = j.filter(pl.col('d').abs() > 1)
print('moved', mv.height, 'better', mv.filter(pl.col('d') < 0).height, 'worse', mv.filter(pl.col('d') > 0).height)
print('mean |log err| before/after (all predicted both):',
      j.select(pl.col('log_error').abs().mean(), pl.col('log_error_b').abs().mean()))
src = mv.with_columns(src=pl.when(pl.col('name').str.starts_with('infx')).then(pl.lit('infx'))
                      .otherwise(pl.col('model')))
print(src.group_by('src', 'metric', 'scenario').agg(
    n=pl.len(), before=pl.col('abs_error_pct').median(), after=pl.col('abs_error_pct_b').median(),
    better=(pl.col('d') < 0).sum()).sort('n', descending=True))
print(j.filter(~pl.col('name').str.starts_with('infx')).group_by('metric').agg(
    n=pl.len(), before=pl.col('abs_error_pct').median(), after=pl.col('abs_error_pct_b').median())
    .sort('n', descending=True).head(12))
