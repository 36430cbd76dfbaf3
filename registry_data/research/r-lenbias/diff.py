"""Before/after of the bundled measurements' predictions (two rows.py outputs): every row whose prediction moves,
and make_baseline's per-metric figures of each side
(`.venv/bin/python registry_data/research/r-lenbias/diff.py BEFORE.parquet AFTER.parquet [MOVED.csv]`)."""

from __future__ import annotations

import sys

import polars as pl

from tests.validation.make_baseline import baseline

KEYS = ["line", "name", "metric", "model", "hardware", "framework", "scenario", "dataset"]

if __name__ == "__main__":
    before, after = (pl.read_parquet(p) for p in sys.argv[1:3])
    both = before.select(*KEYS, pl.col("predicted").alias("before"), pl.col("error_pct").alias("err_before")).join(
        after.select("line", pl.col("predicted").alias("after"), pl.col("error_pct").alias("err_after")),
        on="line", how="full", coalesce=True)
    moved = both.filter(((pl.col("before") - pl.col("after")).abs() > 1e-9 * pl.col("before").abs())
                        | (pl.col("before").is_null() != pl.col("after").is_null()))
    moved = moved.with_columns(((pl.col("after") / pl.col("before") - 1) * 100).round(2).alias("moved_pct"),
                               pl.col("err_before").round(1), pl.col("err_after").round(1)).sort("metric", "model")
    if len(sys.argv) > 3:
        moved.select("line", "metric", "model", "hardware", "framework", "scenario", "dataset", "before", "after",
                     "moved_pct", "err_before", "err_after").write_csv(sys.argv[3])
    with pl.Config(tbl_rows=-1, tbl_cols=-1, tbl_width_chars=250, fmt_str_lengths=40, tbl_formatting="MARKDOWN",
                   tbl_hide_dataframe_shape=True, tbl_hide_column_data_types=True):
        print(f"{moved.height} rows move\n")
        print(moved.select("metric", "model", "hardware", "framework", "scenario", "dataset", "moved_pct",
                           "err_before", "err_after"))
    b, a = baseline(before)["metrics"], baseline(after)["metrics"]
    print()
    for metric in sorted(set(b) | set(a)):
        if b.get(metric) != a.get(metric):
            print(f"- {metric}: before {b.get(metric)} -> after {a.get(metric)}")
