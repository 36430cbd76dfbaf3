"""The MLPerf Llama 2 70B Offline rows on H100 SXM / H200 SXM of one or more validation runs: measured and predicted
per GPU, error, the layout and batch the validation used; with more runs (``whatif.py``'s variants), each variant's
prediction and the elasticity ln(pred_variant / pred_base) / ln(1.1) (the share of predicted time that input scales);
then the H200 / H100 per-GPU ratio per MLPerf round, measured and predicted.

    .venv/bin/python registry_data/research/r-h100b/rows.py RUN [RUN_FP8 RUN_BW]
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import polars as pl

OFFLINE = (pl.col("name").str.starts_with("mlperf-") & (pl.col("model") == "Llama 2 70B")
           & pl.col("hardware").is_in(["H100 SXM5 80GB", "H200 SXM 141GB"]) & (pl.col("scenario") == "offline")
           & (pl.col("metric") == "tokens_per_s"))


def run(path: str) -> pl.DataFrame:
    found = sorted(Path(path).glob("validation/*/validation.parquet"))
    if not found:
        raise SystemExit(f"no validation/*/validation.parquet under {path}")
    return pl.read_parquet(found[-1]).filter(OFFLINE)


def main(paths: list[str]) -> None:
    base = run(paths[0]).select(
        "line", "name", "hardware", "devices", "tp", "pp", "batch_used", "bound",
        pl.col("name").str.extract(r"mlperf-inf-(v\d\.\d)").alias("round"),
        measured_per_gpu=pl.col("measured") / pl.col("devices"),
        predicted_per_gpu=pl.col("predicted") / pl.col("devices"), error_pct=pl.col("error_pct"))
    for label, p in zip(("e_fp8", "e_bw"), paths[1:], strict=False):
        other = run(p).select("line", pl.col("predicted").alias("p_other"), "devices")
        base = base.join(other, on="line", how="left").with_columns(
            ((pl.col("p_other") / pl.col("devices") / pl.col("predicted_per_gpu")).log() / math.log(1.1))
            .round(3).alias(label)).drop("p_other", "devices_right")
    with pl.Config(tbl_rows=100, tbl_cols=30, tbl_width_chars=250, fmt_str_lengths=70):
        print(base.sort("hardware", "round", "name").with_columns(
            pl.col("measured_per_gpu", "predicted_per_gpu").round(0), pl.col("error_pct").round(1)))
        # NVIDIA's H200-SXM-141GB-CTS systems run the H200 at 1,000 W (custom thermal solution), the others at 700 W
        per_round = base.filter(~pl.col("name").str.contains("-cts")).group_by("round", "hardware").agg(
            pl.len(), pl.col("measured_per_gpu").median(), pl.col("predicted_per_gpu").median(),
            pl.col("error_pct").median())
        h100 = per_round.filter(pl.col("hardware") == "H100 SXM5 80GB").drop("hardware")
        h200 = per_round.filter(pl.col("hardware") == "H200 SXM 141GB").drop("hardware")
        ratio = h200.join(h100, on="round", suffix="_h100").select(
            "round", pl.col("len").alias("h200_rows"), pl.col("len_h100").alias("h100_rows"),
            measured_ratio=(pl.col("measured_per_gpu") / pl.col("measured_per_gpu_h100")).round(3),
            predicted_ratio=(pl.col("predicted_per_gpu") / pl.col("predicted_per_gpu_h100")).round(3),
            h200_error=pl.col("error_pct").round(1), h100_error=pl.col("error_pct_h100").round(1)).sort("round")
        print("H200 / H100 per GPU, medians per MLPerf round (all submitters; CTS 1,000 W H200 rows left out):")
        print(ratio.with_columns(gap=(pl.col("measured_ratio") / pl.col("predicted_ratio")).round(3)))


if __name__ == "__main__":
    main(sys.argv[1:])
