"""The catalog's closed-loop latency rows (a ``concurrency`` stated: NIM's Llama 3.3 70B rows and r-infx's DeepSeek-R1
rows) at the catalog's eta, per deployment (model x hardware x framework x devices) and concurrency: median signed
error (r-infx's ``errors.summary``, imported by path) and the median time the model leaves out, measured - predicted
in ms (a constant gap across concurrencies points to a per-step or per-request cost; a gap growing with concurrency
to queueing). Reads a validation table (``mlsys validate --out DIR``'s DIR/validation/<id>/validation.parquet):
columns name, metric, model, hardware, framework, devices, concurrency, measured, predicted (s), error_pct.

    .venv/bin/python registry_data/research/r-infx2/closed_loop.py VALIDATION.parquet
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import polars as pl

HERE = Path(__file__).parent
# r-infx's cluster summary (rows, predicted, median signed / abs error, range), by path: one implementation
_spec = importlib.util.spec_from_file_location("r_infx_errors_for_infx2", HERE.parent / "r-infx" / "errors.py")
infx_errors = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(infx_errors)
LATENCY = ("ttft_s", "itl_s")
pl.Config.set_tbl_width_chars(250)
pl.Config.set_fmt_str_lengths(60)


def closed_loop(t: pl.DataFrame) -> pl.DataFrame:
    """The closed-loop latency rows of validation table ``t`` with their deployment key and the gap in ms."""
    return (t.filter(pl.col("concurrency").is_not_null() & pl.col("metric").is_in(LATENCY))
            .with_columns(deployment=pl.concat_str("model", "hardware", "framework",
                                                   pl.format("x{}", "devices"), separator=" | "),
                          conc=pl.col("concurrency"),
                          gap_ms=((pl.col("measured") - pl.col("predicted")) * 1e3)))


def gaps(t: pl.DataFrame, *keys: str) -> pl.DataFrame:
    """Median measured, predicted and measured - predicted (ms) per metric and ``keys``."""
    return (t.group_by("metric", *keys).agg(
        rows=pl.len(), measured_ms=(pl.col("measured").median() * 1e3).round(2),
        predicted_ms=(pl.col("predicted").median() * 1e3).round(2), gap_ms=pl.col("gap_ms").median().round(2))
        .sort("metric", *keys))


def main(path: str) -> None:
    t = closed_loop(pl.read_parquet(path))
    print("error by deployment x concurrency\n", infx_errors.summary(t, "deployment", "conc"))
    print("time left out by deployment x concurrency\n", gaps(t, "deployment", "conc"))


if __name__ == "__main__":
    main(sys.argv[1])
