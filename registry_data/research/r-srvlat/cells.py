"""ttft_s / itl_s under a request rate by hardware x model, and the "capacity" regime, in one or two
``python -m pipeline validate --out DIR`` outputs (before -> after). Usage: cells.py PARQUET [PARQUET]."""
import sys

import duckdb
import polars as pl

CELLS = """select metric, hardware, model, count(*) n, round(median(error_pct), 1) signed,
  round(median(abs_error_pct), 1) abs from '{p}' where metric in ('itl_s', 'ttft_s') and scenario = 'server'
  and predicted is not null group by all"""
GROUPS = """select 'regime capacity' g, count(*) n, round(median(abs_error_pct), 1) med,
  round(quantile_cont(abs_error_pct, 0.9), 1) p90 from '{p}' where bound = 'capacity' and predicted is not null
  union all select 'server ' || metric, count(*), round(median(abs_error_pct), 1),
  round(quantile_cont(abs_error_pct, 0.9), 1) from '{p}'
  where metric in ('itl_s', 'ttft_s') and scenario = 'server' and predicted is not null group by metric
  union all select 'all ' || metric, count(*), round(median(abs_error_pct), 1),
  round(quantile_cont(abs_error_pct, 0.9), 1) from '{p}' where metric in ('itl_s', 'ttft_s') and predicted is not null
  group by metric
  union all select 'all rows', count(*), round(median(abs_error_pct), 1), round(quantile_cont(abs_error_pct, 0.9), 1)
  from '{p}' where predicted is not null order by 1"""

con = duckdb.connect()
paths = sys.argv[1:]
pl.Config.set_tbl_rows(500).set_tbl_cols(20).set_tbl_width_chars(200)
for p in paths:
    print(p)
    print(con.sql(GROUPS.format(p=p)).pl())
cells = [con.sql(CELLS.format(p=p)).pl() for p in paths]
out = cells[0]
if len(cells) == 2:
    out = out.join(cells[1], on=["metric", "hardware", "model"], how="full", coalesce=True, suffix="_after")
print(out.sort("metric", "hardware", "model"))
