"""Where the time-to-first-token error sits (run by hand, not a test: `.venv/bin/mlsys validate --out DIR`, then
`.venv/bin/python -m tests.validation.ttft_residuals DIR/validation/<run>/validation.parquet`). CHANGELOG.md, "where the
TTFT error sits (ttft)".

Prints the catalog-η error of the predicted ttft_s rows (error = predicted / measured - 1, in %) grouped by source,
framework, load (a request rate, a closed-loop concurrency, or neither: idle or a burst), the statistic (mean or
P50), prompt length, model, accelerator, tp and the bound; and for every MLPerf Server system with both a TTFT and a
TPOT row, measured TTFT / TPOT against predicted TTFT / TPOT: where the two ratios agree the TTFT error is the
per-token cost's (wall 7's ρ), where they do not it is a TTFT term of its own."""

from __future__ import annotations

import sys

import polars as pl

GROUPS = ("source", "framework", "load", "statistic", "prompt", "model", "hardware", "tp", "pp", "bound")


def ttft_rows(validation: pl.DataFrame) -> pl.DataFrame:
    """The predicted ttft_s rows with the grouping columns: ``source`` (the URL's host and first path segments),
    ``load`` (rate, concurrency or none) and ``prompt`` (the prompt length's bucket, null where the row takes its
    lengths from a dataset)."""
    prompt = pl.col("prompt_len")
    return validation.filter(pl.col("metric") == "ttft_s", pl.col("predicted").is_not_null()).with_columns(
        source=pl.col("source_url").str.replace(r"^https?://", "").str.split("/").list.slice(0, 3).list.join("/"),
        load=pl.when(pl.col("request_rate").is_not_null()).then(pl.lit("rate"))
        .when(pl.col("concurrency").is_not_null()).then(pl.lit("concurrency")).otherwise(pl.lit("none")),
        prompt=pl.when(prompt.is_null()).then(pl.lit("dataset")).when(prompt <= 256).then(pl.lit("<=256"))
        .when(prompt <= 1024).then(pl.lit("257-1024")).when(prompt <= 4096).then(pl.lit("1025-4096"))
        .otherwise(pl.lit(">4096")))


def by_group(rows: pl.DataFrame, group: str) -> pl.DataFrame:
    """Rows, median signed error, median |error| and the share of rows within ±30 % per value of ``group``."""
    return rows.group_by(group).agg(
        rows=pl.len(), median_error_pct=pl.col("error_pct").median(),
        median_abs_error_pct=pl.col("abs_error_pct").median(),
        within_30=(pl.col("abs_error_pct") <= 30.0).mean()).sort("rows", "median_abs_error_pct", descending=True)


def server_ratios(validation: pl.DataFrame) -> pl.DataFrame:
    """Each MLPerf Server system (a TTFT and a TPOT row of one run, the names' common stem) with its measured and
    predicted TTFT / TPOT and both errors."""
    rows = validation.filter(pl.col("source_url").str.contains("mlcommons/inference_results"),
                             pl.col("metric").is_in(["ttft_s", "itl_s"]), pl.col("predicted").is_not_null())
    rows = rows.with_columns(system=pl.col("name").str.replace(r"-(ttft|tpot)-(p50|mean)$", ""))
    wide = rows.pivot(on="metric", index=["system", "framework"], values=["measured", "predicted", "error_pct"])
    return wide.drop_nulls().select(
        "system", "framework", ttft_error_pct="error_pct_ttft_s", tpot_error_pct="error_pct_itl_s",
        measured_ratio=pl.col("measured_ttft_s") / pl.col("measured_itl_s"),
        predicted_ratio=pl.col("predicted_ttft_s") / pl.col("predicted_itl_s")).sort("framework", "system")


def main(path: str) -> None:
    validation = pl.read_parquet(path)
    rows = ttft_rows(validation)
    pl.Config.set_tbl_rows(100)
    pl.Config.set_tbl_width_chars(200)
    pl.Config.set_fmt_str_lengths(70)
    print(f"ttft_s: {rows.height} rows, median |error| {rows['abs_error_pct'].median():.1f} %")
    for group in GROUPS:
        print(by_group(rows, group))
    ratios = server_ratios(validation)
    print(ratios)
    print(ratios.group_by("framework").agg(systems=pl.len(), measured_ratio=pl.col("measured_ratio").median(),
                                           predicted_ratio=pl.col("predicted_ratio").median()))


if __name__ == "__main__":
    main(sys.argv[1])
