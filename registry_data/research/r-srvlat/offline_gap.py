"""MLPerf Server TTFT / TPOT rows beside the same system's Offline row in one ``python -m pipeline validate --out DIR``
output: how loaded the run was against its own measured Offline throughput (rho_meas = Server tokens/s / Offline
tokens/s, both measured) and against the model's (rho_model = the same Server tokens/s / the predicted Offline
tokens/s), with the Offline row's error. Where the model's Offline is fast, the Server run looks lightly loaded to
wall 7 and its latencies come out short, whatever the queueing. Usage: offline_gap.py PARQUET."""
import sys

import duckdb
import polars as pl

QUERY = """
with lat as (
  select regexp_replace(name, '-(server|interactive)-(ttft-p50|tpot-mean)$', '') base,
         regexp_extract(name, '-(server|interactive)-', 1) kind, metric, hardware, model, devices, error_pct, line
  from '{p}' where scenario = 'server' and metric in ('itl_s', 'ttft_s') and predicted is not null
    and name like 'mlperf-%'),
off as (select name, measured off_meas, predicted off_pred, error_pct off_err from '{p}'
        where metric = 'tokens_per_s' and scenario = 'offline'),
srv as (select name, measured srv_meas from '{p}' where metric = 'tokens_per_s' and scenario = 'server')
select lat.line, lat.kind, lat.metric, lat.hardware, lat.model, lat.devices, round(lat.error_pct, 1) err,
       round(off.off_err, 1) offline_err, round(srv_meas / off_meas, 3) rho_meas,
       round(srv_meas / off_pred, 3) rho_model
from lat left join off on off.name = lat.base || '-offline'
  left join srv on srv.name = lat.base || '-' || lat.kind
order by lat.hardware, lat.model, lat.line"""

pl.Config.set_tbl_rows(500).set_tbl_cols(20).set_tbl_width_chars(200)
frame = duckdb.sql(QUERY.format(p=sys.argv[1])).pl()
print(frame)
paired = frame.drop_nulls("offline_err")
for label, rows in (("offline within 10 %", paired.filter(pl.col("offline_err").abs() <= 10)),
                    ("offline over +20 % fast", paired.filter(pl.col("offline_err") > 20))):
    print(label, rows.group_by("metric").agg(n=pl.len(), median_signed=pl.col("err").median(),
                                             median_abs=pl.col("err").abs().median()).sort("metric"))
