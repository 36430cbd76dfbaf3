"""Each TensorRT-LLM MLPerf Inference Server TPOT / TTFT row beside its own system's Offline tokens/s error (the same
run name with ``-offline``), from a validation run (r-h70sat/README.md section 2): how the latency error under a
rate follows the capacity error.

    .venv/bin/python registry_data/research/r-h70sat/pairs.py VALIDATION_PARQUET
"""

from __future__ import annotations

import sys

import polars as pl

SUFFIX = r"-(server|interactive)(-tpot-mean|-ttft-p50)?$"


def pairs(validation: pl.DataFrame) -> pl.DataFrame:
    v = validation.filter(pl.col("name").str.starts_with("mlperf-inf-") & (pl.col("framework") == "TensorRT-LLM"))
    offline = (v.filter((pl.col("scenario") == "offline") & (pl.col("metric") == "tokens_per_s"))
               .select(pl.col("name").str.replace(r"-offline$", "").alias("run"),
                       pl.col("error_pct").alias("offline_error_pct")))
    latency = (v.filter(pl.col("metric").is_in(["itl_s", "ttft_s"]) & pl.col("request_rate").is_not_null()
                        & pl.col("error_pct").is_not_null())
               .with_columns(pl.col("name").str.replace(SUFFIX, "").alias("run")))
    return (latency.join(offline, on="run", how="inner")
            .select("run", "model", "hardware", "metric", "error_pct", "offline_error_pct")
            .sort("offline_error_pct"))


def bands(p: pl.DataFrame) -> pl.DataFrame:
    """Median latency error per band of the same system's Offline error."""
    band = (pl.when(pl.col("offline_error_pct") < 10).then(pl.lit("a: < +10 %"))
            .when(pl.col("offline_error_pct") < 20).then(pl.lit("b: +10..+20 %"))
            .when(pl.col("offline_error_pct") < 30).then(pl.lit("c: +20..+30 %"))
            .otherwise(pl.lit("d: >= +30 %")))
    return (p.with_columns(band.alias("offline_band"))
            .group_by("offline_band", "metric").agg(pl.len().alias("rows"),
                                                    pl.col("error_pct").median().round(1).alias("median_error_pct"),
                                                    pl.col("error_pct").abs().median().round(1).alias("median_abs"))
            .sort("metric", "offline_band"))


if __name__ == "__main__":
    p = pairs(pl.read_parquet(sys.argv[1]))
    pl.Config.set_tbl_rows(200)
    pl.Config.set_tbl_width_chars(200)
    print(bands(p))
    print(p.select(pl.corr("error_pct", "offline_error_pct", method="spearman").alias("spearman")).item())
