"""The itl_s / ttft_s rows that move between two ``python -m pipeline validate --out DIR`` outputs (before, after):
each row's signed error, and how many moved closer. Usage: rows.py BEFORE_PARQUET AFTER_PARQUET."""
import sys

import duckdb
import polars as pl

ROWS = """select b.metric, b.hardware, b.model, b.name, round(b.error_pct, 1) before, round(a.error_pct, 1) after
  from '{b}' b join '{a}' a using (line, metric)
  where b.metric in ('itl_s', 'ttft_s') and b.predicted is not null and abs(a.predicted / b.predicted - 1) > 1e-6
  order by b.metric, b.hardware, b.model, b.name"""

pl.Config.set_tbl_rows(500).set_tbl_cols(20).set_tbl_width_chars(220).set_fmt_str_lengths(60)
moved = duckdb.connect().sql(ROWS.format(b=sys.argv[1], a=sys.argv[2])).pl()
print(moved)
for metric, rows in moved.group_by("metric"):
    closer = (rows["after"].abs() < rows["before"].abs()).sum()
    print(f"{metric[0]}: {rows.height} rows move, {closer} closer; median |error| of those "
          f"{rows['before'].abs().median():.1f} -> {rows['after'].abs().median():.1f} %")
