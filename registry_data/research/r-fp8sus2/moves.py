"""Rows whose error moved between two `mlsys validate --out DIR` runs, grouped by source (r-fp8sus2).

    .venv/bin/python registry_data/research/r-fp8sus2/moves.py BEFORE/validation.parquet AFTER/validation.parquet [CSV]

Prints, per metric, the median |error| before and after at catalog eta; per training metric, MLPerf training's and
Megatron-Bridge's rows (all of them, moved or not); then per (metric, source group, hardware, dtype) the rows that
moved by more than 0.05 points and their median signed error before -> after; writes the moved rows to CSV.
Source group: MLPerf training (NeMo submissions), Megatron-Bridge recipes, else the source URL's host/repo."""

from __future__ import annotations

import sys

import polars as pl

KEEP = ["name", "metric", "hardware", "compute_dtype", "source_url", "error_pct"]


def group() -> pl.Expr:
    url = pl.col("source_url")
    return (pl.when(url.str.contains("training_results")).then(pl.lit("MLPerf training"))
            .when(url.str.contains("Megatron-Bridge")).then(pl.lit("Megatron-Bridge"))
            .when(url.str.contains("inference_results")).then(pl.lit("MLPerf inference"))
            .otherwise(url.str.extract(r"https?://(?:www\.)?([^/]+(?:/[^/]+/[^/]+)?)")))


def main(before: str, after: str, out: str | None) -> None:
    b = pl.read_parquet(before).filter(pl.col("error_pct").is_not_null()).select(KEEP)
    a = pl.read_parquet(after).filter(pl.col("error_pct").is_not_null()).select("name", "metric",
                                                                                 error_pct_new="error_pct")
    j = b.join(a, on=["name", "metric"], how="full", coalesce=True).with_columns(source=group())
    print(j.group_by("metric").agg(rows=pl.len(), before=pl.col("error_pct").abs().median().round(2),
                                   after=pl.col("error_pct_new").abs().median().round(2)).sort("metric"))
    training = j.filter(pl.col("metric").is_in(["step_time_s", "training_tokens_per_s", "samples_per_s"]),
                        pl.col("source").is_in(["MLPerf training", "Megatron-Bridge"]))
    with pl.Config(tbl_rows=20):
        print(training.group_by("metric", "source").agg(
            rows=pl.len(), abs_before=pl.col("error_pct").abs().median().round(1),
            abs_after=pl.col("error_pct_new").abs().median().round(1),
            signed_before=pl.col("error_pct").median().round(1),
            signed_after=pl.col("error_pct_new").median().round(1)).sort("metric", "source"))
    moved = j.filter((pl.col("error_pct_new") - pl.col("error_pct")).abs() > 0.05)
    with pl.Config(tbl_rows=80, tbl_width_chars=200, fmt_str_lengths=40):
        print(moved.group_by("metric", "source", "hardware", "compute_dtype").agg(
            rows=pl.len(), signed_before=pl.col("error_pct").median().round(1),
            signed_after=pl.col("error_pct_new").median().round(1),
            abs_before=pl.col("error_pct").abs().median().round(1),
            abs_after=pl.col("error_pct_new").abs().median().round(1)).sort("metric", "source", "hardware"))
    if out:
        moved.select("name", "metric", "hardware", "compute_dtype", "source", pl.col("error_pct").round(1),
                     pl.col("error_pct_new").round(1)).sort("metric", "source", "name").write_csv(out)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else None)
