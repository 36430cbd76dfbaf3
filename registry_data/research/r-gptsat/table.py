"""Table a validation run's GPT-OSS perf-overview rows (trtllm-perf-gptoss-*): batch the model ran, bound, measured
and predicted per-GPU output tokens/s, signed error; and the medians by length class.

    .venv/bin/python registry_data/research/r-gptsat/table.py RUN_DIR [RUN_DIR_B]

RUN_DIR: a ``mlsys validate --out`` directory (its newest validation/*/validation.parquet). With a second run, the
two side by side (A, B) and the change in error.
"""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl

PREFIX = "trtllm-perf-gptoss-"


def load(run: str) -> pl.DataFrame:
    path = sorted(Path(run).glob("validation/*/validation.parquet"))[-1]
    d = pl.read_parquet(path).filter(pl.col("name").str.starts_with(PREFIX))
    return d.select(
        pl.col("name").str.strip_prefix(PREFIX).str.strip_suffix("-per-gpu").alias("row"),
        pl.format("{}/{}", "prompt_len", "output_len").alias("isl_osl"),
        "measured", "predicted", "batch_used", "bound", "error_pct")


def summary(d: pl.DataFrame, col: str = "error_pct") -> pl.DataFrame:
    short = pl.col("isl_osl").is_in(["1000/1000", "1024/1024"])
    return (d.with_columns(pl.when(short).then(pl.lit("1k/1k")).otherwise(pl.lit("long")).alias("class"))
            .group_by("class").agg(rows=pl.len(), median_signed=pl.col(col).median(),
                                   median_abs=pl.col(col).abs().median()).sort("class"))


def main(argv: list[str]) -> None:
    pl.Config.set_tbl_rows(60)
    pl.Config.set_tbl_width_chars(200)
    pl.Config.set_tbl_hide_dataframe_shape(True)
    a = load(argv[0])
    if len(argv) == 1:
        print(a.with_columns(pl.col("predicted", "error_pct").round(1)))
        print(summary(a))
        return
    b = load(argv[1]).select("row", pred_b="predicted", batch_b="batch_used", bound_b="bound", err_b="error_pct")
    j = a.join(b, on="row").with_columns(pl.col("predicted", "pred_b", "error_pct", "err_b").round(1))
    print(j)
    print("A:", summary(a).rows())
    print("B:", summary(j, "err_b").rows())
    print("all rows median |err| A %.1f  B %.1f" % (j["error_pct"].abs().median(), j["err_b"].abs().median()))


if __name__ == "__main__":
    main(sys.argv[1:])
