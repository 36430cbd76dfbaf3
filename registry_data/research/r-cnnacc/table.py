"""samples_per_s inference rows by model, scenario and accelerator from one or two validation runs (r-cnnacc README):
median signed error %, rows, range; with two runs, before -> after and the rows that moved.

    .venv/bin/python registry_data/research/r-cnnacc/table.py RUN_DIR [RUN_DIR_AFTER]

RUN_DIR is what ``mlsys validate --out`` made (DIR/validation/<ts>/validation.parquet; the newest <ts> is read).
"""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl

MODELS = ["ResNet-50", "RetinaNet", "BERT-Large"]


def rows(run: Path) -> pl.DataFrame:
    path = sorted(run.glob("validation/*/validation.parquet"))[-1]
    return pl.read_parquet(path).filter((pl.col("metric") == "samples_per_s") & pl.col("model").is_in(MODELS)
                                        & pl.col("scenario").is_in(["offline", "server"])).select(
        "name", "model", "hardware", "scenario", "measured", "predicted", "error_pct")


def summary(frame: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    return frame.group_by(by).agg(pl.len().alias("rows"), pl.col("error_pct").median().round(1).alias("median"),
                                  pl.col("error_pct").min().round(0).alias("min"),
                                  pl.col("error_pct").max().round(0).alias("max")).sort(by)


def catalog_median(run: Path) -> float:
    path = sorted(run.glob("validation/*/validation.parquet"))[-1]
    got = pl.read_parquet(path).filter((pl.col("metric") == "samples_per_s") & pl.col("predicted").is_not_null())
    return got["abs_error_pct"].median()


def main(runs: list[Path]) -> None:
    pl.Config.set_tbl_rows(100)
    pl.Config.set_tbl_width_chars(200)
    frames = [rows(r) for r in runs]
    for by in (["model", "scenario"], ["model", "hardware"]):
        got = summary(frames[0], by)
        if len(frames) > 1:
            got = got.join(summary(frames[1], by), on=by, how="full", coalesce=True, suffix="_after")
        print(got)
    for run in runs:
        print(f"{run}: samples_per_s catalog median |error| {catalog_median(run):.2f} %")
    if len(frames) > 1:
        keys = ["name", "model", "hardware", "scenario", "measured"]
        moved = frames[0].join(frames[1], on=keys, suffix="_after").filter(
            (pl.col("error_pct") - pl.col("error_pct_after")).abs() > 0.05)
        print(moved.select("model", "hardware", "scenario", pl.col("error_pct").round(1),
                           pl.col("error_pct_after").round(1)).sort("model", "scenario", "hardware"))


if __name__ == "__main__":
    main([Path(a) for a in sys.argv[1:]])
