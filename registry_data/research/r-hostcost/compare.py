"""Compare two validation tables (``mlsys validate --out DIR``'s DIR/validation/<id>/validation.parquet): the
bundled catalogs (BASE) against a scratch copy with a per-iteration scheduler time set (WHATIF, whatif.py).
Prints (1) the closed-loop latency rows by deployment x concurrency (r-infx2's ``closed_loop`` row selection,
imported by path: one implementation): measured, both predictions and both signed errors (%); (2) per framework,
open / closed loop and metric: rows and the median |error| (%) before and after.

    .venv/bin/python registry_data/research/r-hostcost/compare.py BASE.parquet WHATIF.parquet
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import polars as pl

HERE = Path(__file__).parent
_spec = importlib.util.spec_from_file_location("r_infx2_closed_loop_for_hostcost",
                                               HERE.parent / "r-infx2" / "closed_loop.py")
infx2 = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(infx2)
METRICS = ("itl_s", "ttft_s", "tokens_per_s")
pl.Config.set_tbl_rows(200)
pl.Config.set_tbl_cols(-1)
pl.Config.set_tbl_width_chars(250)
pl.Config.set_fmt_str_lengths(60)


def paired(base: pl.DataFrame, whatif: pl.DataFrame) -> pl.DataFrame:
    """Rows predicted in both tables, with the what-if's prediction and error beside the base's."""
    keep = ("name", "metric", "model", "hardware", "framework", "devices", "concurrency", "measured",
            "predicted", "error_pct")
    w = whatif.select("name", "metric", predicted_w="predicted", error_pct_w="error_pct")
    return (base.select(keep).join(w, on=["name", "metric"], how="inner")
            .filter(pl.col("predicted").is_not_null() & pl.col("predicted_w").is_not_null()))


def closed_rows(t: pl.DataFrame) -> pl.DataFrame:
    """Closed-loop ITL / TTFT by deployment x concurrency: median measured and predicted (ms), signed errors (%)."""
    c = infx2.closed_loop(t)
    return (c.group_by("metric", "deployment", "conc").agg(
        rows=pl.len(), measured_ms=(pl.col("measured").median() * 1e3).round(2),
        base_ms=(pl.col("predicted").median() * 1e3).round(2),
        whatif_ms=(pl.col("predicted_w").median() * 1e3).round(2),
        base_err=pl.col("error_pct").median().round(1), whatif_err=pl.col("error_pct_w").median().round(1))
        .sort("metric", "deployment", "conc"))


def by_framework(t: pl.DataFrame) -> pl.DataFrame:
    """Median |error| (%) before and after, per framework, loop kind and serving metric."""
    return (t.filter(pl.col("metric").is_in(METRICS))
            .with_columns(loop=pl.when(pl.col("concurrency").is_not_null()).then(pl.lit("closed"))
                          .otherwise(pl.lit("open")))
            .group_by("framework", "loop", "metric").agg(
                rows=pl.len(), base_abs=pl.col("error_pct").abs().median().round(1),
                whatif_abs=pl.col("error_pct_w").abs().median().round(1),
                base_signed=pl.col("error_pct").median().round(1),
                whatif_signed=pl.col("error_pct_w").median().round(1))
            .sort("framework", "loop", "metric"))


def main(base_path: str, whatif_path: str) -> None:
    t = paired(pl.read_parquet(base_path), pl.read_parquet(whatif_path))
    print("closed-loop rows by deployment x concurrency\n", closed_rows(t))
    print("median |error| by framework, loop and metric\n", by_framework(t))


if __name__ == "__main__":
    main(*sys.argv[1:])
