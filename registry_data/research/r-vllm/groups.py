"""The vLLM rows of a validation run grouped by source, accelerator, vLLM version, scenario and metric: count, median
signed and |error| (signed: predicted over measured - 1; + is a throughput predicted too high or a latency too
long). Run from the repository root:

    .venv/bin/python -m pipeline validate --out DIR
    .venv/bin/python registry_data/research/r-vllm/groups.py DIR [DIR2]

With DIR2 (a run after a change) it prints each row's error in both and the groups' medians side by side.
"""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl

VERSION = r"(?i)vllm[ -]?v?(\d+\.\d+\.\d+)"  # as the rows' notes state it ("vLLM 0.4.3+rocm614", "vllm-0.9.0.2.dev")
GROUPS = (["source"], ["hardware"], ["version"], ["scenario", "metric"], ["compute_dtype"])


def vllm_rows(run: Path) -> pl.DataFrame:
    """The run's predicted vLLM rows with their source (the name's prefix), vLLM version and scenario."""
    frame = pl.read_parquet(next(run.glob("validation/*/validation.parquet")))
    return frame.filter(pl.col("framework") == "vLLM", pl.col("error_pct").is_not_null()).with_columns(
        source=pl.col("name").str.extract(r"^(amdblog|mlperf-inf-v\d\.\d-[a-z]+|seed)"),
        version=pl.col("notes").str.extract(VERSION).fill_null("not stated"),
    ).select("name", "source", "hardware", "version", "scenario", "metric", "compute_dtype", "model", "tp",
             "batch_used", "prompt_len", "output_len", "measured", "predicted", "error_pct", "bound")


def summary(rows: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    return rows.group_by(keys).agg(n=pl.len(), signed=pl.col("error_pct").median().round(1),
                                   absolute=pl.col("error_pct").abs().median().round(1)).sort(keys)


def main(runs: list[Path]) -> None:
    pl.Config.set_tbl_rows(80)
    pl.Config.set_tbl_width_chars(200)
    pl.Config.set_fmt_str_lengths(70)
    frames = [vllm_rows(r) for r in runs]
    for k, rows in enumerate(frames):
        print(f"run {k} ({runs[k]}): {rows.height} rows, median signed {rows['error_pct'].median():+.1f} %, "
              f"|error| {rows['error_pct'].abs().median():.1f} %, p90 |error| "
              f"{rows['error_pct'].abs().quantile(0.9, 'linear'):.1f} %")
    if len(frames) == 1:
        for keys in GROUPS:
            print(summary(frames[0], keys))
        print(frames[0].sort("source", "hardware", "metric", "name").select(
            "name", "metric", "version", "batch_used", "measured", "predicted", pl.col("error_pct").round(1)))
        return
    before, after = frames
    both = before.join(after.select("name", "metric", after="error_pct"), on=["name", "metric"], how="full",
                       coalesce=True)
    print(both.select("name", "metric", "hardware", pl.col("error_pct").round(1).alias("before"),
                      pl.col("after").round(1)).sort("name", "metric"))
    for keys in GROUPS:
        print(summary(before, keys).join(summary(after, keys), on=keys, how="full", coalesce=True,
                                         suffix="_after"))


if __name__ == "__main__":
    main([Path(a) for a in sys.argv[1:]])
