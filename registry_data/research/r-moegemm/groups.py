"""Median |error| (and median signed error) of the MoE rows of `mlsys validate --out DIR` runs, side by side: the
InferenceX rows (r-infx, names ``infx-*``) and the MLPerf MoE rows (Mixtral 8x7B / 8x22B, DeepSeek-R1), by metric and
scenario, every predicted row (not only the moved ones, as /tmp/cmp.py prints). Run from the repository root:
.venv/bin/python registry_data/research/r-moegemm/groups.py LABEL=DIR [LABEL=DIR ...]
"""

from __future__ import annotations

import glob
import sys

import polars as pl


def read(directory: str) -> pl.DataFrame:
    path = glob.glob(f"{directory}/validation/*/validation.parquet")
    if len(path) != 1:
        raise ValueError(f"{directory}: expected one validation/*/validation.parquet, found {len(path)}")
    return pl.read_parquet(path[0]).select("name", "metric", "model", "scenario", "error_pct", "abs_error_pct")


def groups(frame: pl.DataFrame) -> pl.DataFrame:
    moe = pl.col("model").str.contains("Mixtral|DeepSeek")
    source = (pl.when(pl.col("name").str.starts_with("infx")).then(pl.lit("InferenceX"))
              .when(pl.col("name").str.starts_with("mlperf-inf") & moe).then(pl.lit("MLPerf ") + pl.col("model"))
              .otherwise(None))
    return frame.with_columns(source=source).filter(pl.col("source").is_not_null()
                                                    & pl.col("error_pct").is_not_null())


def main() -> None:
    pl.Config.set_tbl_rows(60)
    pl.Config.set_tbl_width_chars(300)
    pl.Config.set_tbl_cols(20)
    runs = [arg.split("=", 1) for arg in sys.argv[1:]]
    out = None
    for label, directory in runs:
        g = groups(read(directory)).group_by("source", "metric", "scenario").agg(
            n=pl.len(), **{f"{label} abs": pl.col("abs_error_pct").median().round(1),
                           f"{label} signed": pl.col("error_pct").median().round(1)})
        out = g if out is None else out.join(g.drop("n"), on=["source", "metric", "scenario"], how="full",
                                             coalesce=True)
    print(out.sort("source", "metric", "scenario"))


if __name__ == "__main__":
    main()
