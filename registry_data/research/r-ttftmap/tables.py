"""Where the ttft_s error lives: the predicted ttft_s rows of a validation run grouped by source family, framework,
load kind, hardware family, model, prompt band (run by hand: `.venv/bin/mlsys validate --out DIR`, then
`.venv/bin/python registry_data/research/r-ttftmap/tables.py DIR/validation/<run>/validation.parquet`).

Error = predicted / measured - 1 at the catalog eta (the `error_pct` / `abs_error_pct` columns that make_baseline's
catalog median reads). For each group: rows, median signed and |error|, the rows above the metric's median |error|
("over") and the group's share of all such rows ("share_of_over"). Nothing here is fitted."""

from __future__ import annotations

import sys

import polars as pl

GROUPS = ("source_family", "framework", "load_kind", "family", "model", "prompt_band", "source_x_load",
          "source_x_model")


def ttft_rows(validation: pl.DataFrame) -> pl.DataFrame:
    """Predicted ttft_s rows with the grouping columns."""
    name, url = pl.col("name"), pl.col("source_url")
    mlperf = url.str.extract(r"inference_results_(v\d\.\d)")
    source = (pl.when(mlperf.is_not_null()).then(pl.lit("MLPerf ") + mlperf)
              .when(name.str.starts_with("trtllm-0.5")).then(pl.lit("TRT-LLM 0.5 perf doc (batch 1)"))
              .when(name.str.starts_with("trtllm-0.14")).then(pl.lit("TRT-LLM 0.14 Triton serving"))
              .when(name.str.starts_with("trtllm")).then(pl.lit("TRT-LLM other"))
              .when(name.str.starts_with("infx")).then(pl.lit("InferenceX"))
              .when(name.str.starts_with("nim")).then(pl.lit("NVIDIA NIM"))
              .otherwise(pl.lit("other: ") + name.str.split("-").list.first()))
    load = (pl.when(pl.col("concurrency").is_not_null()).then(pl.lit("closed-loop concurrency"))
            .when(pl.col("request_rate").is_not_null() & name.str.contains("interactive"))
            .then(pl.lit("Poisson rate (MLPerf Interactive)"))
            .when(pl.col("request_rate").is_not_null()).then(pl.lit("Poisson rate"))
            .when(name.str.contains("qpsinf")).then(pl.lit("burst (qps inf)"))
            .when(pl.col("scenario") == "single-stream").then(pl.lit("idle, batch 1"))
            .otherwise(pl.lit("other")))
    prompt = pl.col("prompt_len")
    band = (pl.when(prompt.is_null()).then(pl.lit("dataset"))
            .when(prompt <= 256).then(pl.lit("<=256")).when(prompt <= 1024).then(pl.lit("257-1024"))
            .when(prompt <= 4096).then(pl.lit("1025-4096")).otherwise(pl.lit(">4096")))
    rows = validation.filter(pl.col("metric") == "ttft_s", pl.col("predicted").is_not_null())
    return rows.with_columns(source_family=source, load_kind=load, prompt_band=band).with_columns(
        source_x_load=pl.col("source_family") + " | " + pl.col("load_kind"),
        source_x_model=pl.col("source_family") + " | " + pl.col("model") + " | " + pl.col("framework"))


def by_group(rows: pl.DataFrame, group: str) -> pl.DataFrame:
    """Rows, median signed / |error|, rows above the metric median and their share per value of ``group``."""
    median = rows["abs_error_pct"].median()
    over_total = rows.filter(pl.col("abs_error_pct") > median).height
    return rows.group_by(group).agg(
        rows=pl.len(), signed=pl.col("error_pct").median().round(1),
        abs=pl.col("abs_error_pct").median().round(1),
        over=(pl.col("abs_error_pct") > median).sum()).with_columns(
        share_of_over=(pl.col("over") / over_total * 100).round(1)).sort("over", "rows", descending=True)


def main(path: str) -> None:
    rows = ttft_rows(pl.read_parquet(path))
    pl.Config.set_tbl_rows(100)
    pl.Config.set_tbl_width_chars(220)
    pl.Config.set_fmt_str_lengths(90)
    pl.Config.set_tbl_formatting("MARKDOWN")
    pl.Config.set_tbl_hide_column_data_types(True)
    pl.Config.set_tbl_hide_dataframe_shape(True)
    median = rows["abs_error_pct"].median()
    over = rows.filter(pl.col("abs_error_pct") > median).height
    print(f"ttft_s: {rows.height} predicted rows, median |error| {median:.1f} %, {over} rows above it\n")
    for group in GROUPS:
        print(f"### by {group}\n")
        print(by_group(rows, group))
        print()


if __name__ == "__main__":
    main(sys.argv[1])
