"""MLPerf Server / Interactive TPOT rows beside the benchmark's published TPOT limit (a p99 bound: the scenario's
tail-latency percentile is 99 %), in one ``python -m pipeline validate --out DIR`` output: measured mean TPOT / limit
and predicted mean TPOT / limit, with the same system's Offline error (offline_gap.py's pairing).
Limits: MLCommons inference rules, Datacenter suite table ("Server latency constraint", TTFT/TPOT), at
https://github.com/mlcommons/inference_policies/blob/ff7edba545fded369e7e7e3d5a2f0bab4a95eece/inference_rules.adoc
(read 2026-12-05): Llama2-70b conversational 2000 ms / 200 ms, interactive 450 / 40; Llama3.1-8B conversational
2000 / 100, interactive 500 / 30; Llama3.1-405B server 6000 / 175, interactive 4500 / 80; Mixtral-8x7B 2000 / 200.
Usage: tpot_limits.py PARQUET."""
import sys

import duckdb
import polars as pl

# (model as the measurements name it, kind): TPOT limit in s
LIMITS = {("Llama 2 70B", "server"): 0.200, ("Llama 2 70B", "interactive"): 0.040,
          ("Llama 3.1 8B", "server"): 0.100, ("Llama 3.1 8B", "interactive"): 0.030,
          ("Llama 3.1 405B", "server"): 0.175, ("Llama 3.1 405B", "interactive"): 0.080,
          ("Mixtral 8x7B", "server"): 0.200}

QUERY = """select line, regexp_extract(name, '-(server|interactive)-tpot', 1) kind, hardware, model, devices,
  measured, predicted, round(error_pct, 1) err,
  (select round(o.error_pct, 1) from '{p}' o where o.name = regexp_replace(v.name, '-(server|interactive)-tpot-mean$',
   '') || '-offline') offline_err
  from '{p}' v where metric = 'itl_s' and name like 'mlperf-%tpot-mean' and predicted is not null"""

frame = duckdb.sql(QUERY.format(p=sys.argv[1])).pl()
limit = pl.struct("model", "kind").map_elements(lambda r: LIMITS.get((r["model"], r["kind"])), return_dtype=pl.Float64)
frame = frame.with_columns(limit=limit).with_columns(
    measured_over_limit=(pl.col("measured") / pl.col("limit")).round(2),
    predicted_over_limit=(pl.col("predicted") / pl.col("limit")).round(2)).drop("measured", "predicted")
pl.Config.set_tbl_rows(200).set_tbl_cols(20).set_tbl_width_chars(200)
print(frame.sort("model", "hardware", "line"))
print(frame.group_by("kind").agg(n=pl.len(), median_measured_over_limit=pl.col("measured_over_limit").median(),
                                 max_measured_over_limit=pl.col("measured_over_limit").max(),
                                 predicted_over_1=(pl.col("predicted_over_limit") > 1).sum()))
