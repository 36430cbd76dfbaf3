"""Where a combination's median moves: two validation runs (``both.py`` or ``mlsys validate``), per latency /
throughput metric, the catalog-eta median |error| % on all predicted rows (make_baseline's figure), on the rows both
runs predict, and the rows only one run predicts (new: their median |error|; lost: their names).

    .venv/bin/python registry_data/research/r-patchset/compare.py BEFORE_RUN AFTER_RUN [METRIC ...]
"""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl

METRICS = ("itl_s", "ttft_s", "tokens_per_s", "tokens_per_s_per_device", "step_time_s")


def read(run: str) -> pl.DataFrame:
    found = sorted(Path(run).glob("validation/*/validation.parquet"))
    return pl.read_parquet(found[-1]).select("name", "metric", "line", "model", "hardware", "scenario", "predicted",
                                             "abs_error_pct", "error_pct", "reason")


def compare(before: pl.DataFrame, after: pl.DataFrame, metrics) -> pl.DataFrame:
    both = before.join(after, on=["name", "metric"], suffix="_after")
    b_ok, a_ok = pl.col("predicted").is_not_null(), pl.col("predicted_after").is_not_null()
    out = both.filter(pl.col("metric").is_in(metrics)).group_by("metric").agg(
        before=pl.col("abs_error_pct").filter(b_ok).median().round(1),
        after=pl.col("abs_error_pct_after").filter(a_ok).median().round(1),
        common=(b_ok & a_ok).sum(),
        common_before=pl.col("abs_error_pct").filter(b_ok & a_ok).median().round(1),
        common_after=pl.col("abs_error_pct_after").filter(b_ok & a_ok).median().round(1),
        new=(~b_ok & a_ok).sum(), new_median=pl.col("abs_error_pct_after").filter(~b_ok & a_ok).median().round(1),
        lost=(b_ok & ~a_ok).sum(), lost_lines=pl.col("line").filter(b_ok & ~a_ok))
    return out.sort("metric")


def main(before: str, after: str, metrics=METRICS) -> None:
    b, a = read(before), read(after)
    with pl.Config(tbl_rows=50, tbl_width_chars=200, fmt_str_lengths=80, tbl_hide_dataframe_shape=True, tbl_cols=-1,
                   tbl_formatting="ASCII_MARKDOWN", tbl_hide_column_data_types=True):
        print(compare(b, a, metrics))
        joined = b.join(a, on=["name", "metric"], suffix="_after")
        lost = joined.filter(pl.col("predicted").is_not_null() & pl.col("predicted_after").is_null()
                             & pl.col("metric").is_in(metrics))
        if lost.height:
            print("lost rows")
            print(lost.select("line", "metric", "model", "hardware", "scenario", pl.col("error_pct").round(1),
                              pl.col("reason_after").str.slice(0, 80)))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], tuple(sys.argv[3:]) or METRICS)
