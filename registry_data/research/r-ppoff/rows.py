"""The pipeline-parallel serving rows of a validation run: stated tp / pp, predicted, measured, error at the catalog's
eta (each row as ``mlsys validate`` predicts it), and the medians per model x scenario x metric x pp.

    .venv/bin/mlsys validate --out /tmp/ppoff/val0
    .venv/bin/python registry_data/research/r-ppoff/rows.py /tmp/ppoff/val0 [/tmp/ppoff/val1]

With two runs, the second's prediction and error are printed beside the first's.
"""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl

KEEP = ["line", "model", "hardware", "devices", "compute_dtype", "scenario", "metric", "tp", "pp", "batch_used",
        "bound", "measured", "predicted", "error_pct"]
LLM_SERVING = pl.col("study") == "serving"


def rows(run: str) -> pl.DataFrame:
    found = sorted(Path(run).glob("validation/*/validation.parquet"))
    if not found:
        raise SystemExit(f"no validation/*/validation.parquet under {run}")
    return pl.read_parquet(found[-1]).filter(LLM_SERVING).select(KEEP)


def main(runs: list[str]) -> None:
    before = rows(runs[0])
    table = before
    if len(runs) > 1:
        after = rows(runs[1]).select("line", pl.col("predicted").alias("predicted_after"),
                                     pl.col("error_pct").alias("error_after"), pl.col("bound").alias("bound_after"))
        table = before.join(after, on="line", how="left")
    errs = [c for c in ("error_pct", "error_after") if c in table.columns]
    with pl.Config(tbl_rows=200, tbl_cols=30, tbl_width_chars=250, fmt_str_lengths=24):
        pp = table.filter(pl.col("pp") > 1).sort("model", "scenario", "metric", "hardware")
        print(pp.with_columns([pl.col(c).round(1) for c in errs] + [pl.col("predicted").round(2)]))
        print("median signed error % per model x scenario x metric x stated pp (all serving rows)")
        print(table.filter(pl.col("error_pct").is_not_null())
              .group_by("model", "scenario", "metric", pl.col("pp").fill_null(0).alias("pp_stated"))
              .agg(pl.len(), *[pl.col(c).median().round(1) for c in errs])
              .filter(pl.col("model").str.contains("405|Llama 2 70B")).sort("model", "scenario", "metric", "pp_stated"))


if __name__ == "__main__":
    main(sys.argv[1:])
