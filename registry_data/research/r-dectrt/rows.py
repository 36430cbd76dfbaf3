"""TensorRT-LLM's perf-overview tokens_per_s rows (trtllm-bench) in a validation run: median signed and |error| overall
and by lengths, dtype, model, bound and accelerator. Run from the repository root:

    .venv/bin/python -m pipeline validate --out DIR
    .venv/bin/python registry_data/research/r-dectrt/rows.py DIR
"""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl

GROUPS = (["prompt_len", "output_len"], ["compute_dtype"], ["model"], ["bound"], ["hardware"])


def perf_overview(run: Path) -> pl.DataFrame:
    """The run's perf-overview tokens_per_s rows (``validation/*/validation.parquet`` under ``run``)."""
    frame = pl.read_parquet(next(run.glob("validation/*/validation.parquet")))
    return frame.filter(pl.col("metric") == "tokens_per_s", pl.col("source_url").str.contains("TensorRT-LLM"),
                        pl.col("source_url").str.contains("perf-overview"))


def main(run: Path) -> None:
    rows = perf_overview(run)
    pl.Config.set_tbl_rows(40)
    print(f"{rows.height} rows: median signed {rows['error_pct'].median():+.2f} %, "
          f"|error| {rows['error_pct'].abs().median():.2f} %")
    for keys in GROUPS:
        print(rows.group_by(keys).agg(n=pl.len(), signed=pl.col("error_pct").median(),
                                      absolute=pl.col("error_pct").abs().median()).sort(keys))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
