"""The 7 DeepSeek-R1 Server TTFT rows before / after, and whether the balancing timeout's clock alone admits prompts:
the prompts one 8-rank engine receives in a timeout window, lambda_replica x T x E[C] (E[C] the model's mean
iteration, backed out of the added wait (T - 1) / 2 x E[C]; and the run's own iteration, its measured TPOT), and the
Poisson chance of at least 8 of them (every rank holding one, the other branch). Reads two row_errors.py parquets.

    .venv/bin/python registry_data/research/r-adpwait/regime.py BEFORE.parquet AFTER.parquet
"""

from __future__ import annotations

import math
import sys

import polars as pl

from pipeline.catalogs.io import read_catalog

RANKS = 8  # attention-DP ranks of one engine (tp 8 with attention DP, r-dsr1c)


def at_least(k: int, mean: float) -> float:
    return 1.0 - sum(math.exp(-mean) * mean ** i / math.factorial(i) for i in range(k))


def main(before: str, after: str) -> pl.DataFrame:
    m = read_catalog("measurements").filter(pl.col("adp_balancing_timeout_iters").is_not_null())
    run = pl.col("name").str.replace(r"-(ttft-p50|tpot-mean)$", "")
    tpot = m.filter(pl.col("metric") == "itl_s").select(run.alias("run"), (pl.col("value") / 1e3).alias("run_itl_s"))
    rows = (m.filter(pl.col("metric") == "ttft_s")
            .select("name", run.alias("run"), pl.col("adp_balancing_timeout_iters").alias("T"),
                    (pl.col("request_rate") / (pl.col("devices") / RANKS)).alias("lam"))
            .join(tpot, on="run")
            .join(pl.read_parquet(before).select("name", "measured", "predicted", "error_pct"), on="name")
            .join(pl.read_parquet(after).select("name", pl.col("predicted").alias("after"),
                                                 pl.col("error_pct").alias("error_after")), on="name"))
    rows = rows.with_columns(iteration_s=(pl.col("after") - pl.col("predicted")) / ((pl.col("T") - 1) / 2))
    rows = rows.with_columns(window_model=pl.col("lam") * pl.col("T") * pl.col("iteration_s"),
                             window_run=pl.col("lam") * pl.col("T") * pl.col("run_itl_s"))
    rows = rows.with_columns(pl.col("window_run").map_elements(lambda w: at_least(RANKS, w), return_dtype=pl.Float64)
                             .alias("p_all_ranks_run"))
    return rows.select("run", "T", "lam", "measured", "predicted", "error_pct", "after", "error_after",
                       "iteration_s", "run_itl_s", "window_model", "window_run", "p_all_ranks_run")


if __name__ == "__main__":
    with pl.Config(tbl_cols=-1, tbl_width_chars=250, float_precision=3, fmt_str_lengths=40):
        print(main(sys.argv[1], sys.argv[2]))
