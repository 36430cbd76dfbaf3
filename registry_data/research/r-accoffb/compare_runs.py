"""Compare several ``mlsys validate --out`` runs on the MLPerf Offline ResNet-50 / RetinaNet / BERT-99 rows (the
"Streams overlap (streams)" tables of README.md): samples_per_s median |error| % at catalog eta / cv, by model and
by model x hardware, each row's signed error; and every metric's medians and predicted counts, with the number of
rows whose prediction moved from the first run. Diagnosis only; nothing here feeds a catalog.

    .venv/bin/python registry_data/research/r-accoffb/compare_runs.py RUN0 RUN1 [RUN2 ...]
"""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl

MODELS = ("ResNet-50", "RetinaNet", "BERT-Large")


def run(out: Path) -> pl.DataFrame:
    """The one validation.parquet under ``out``."""
    found = sorted(out.glob("validation/*/validation.parquet"))
    if len(found) != 1:
        raise SystemExit(f"{out}: {len(found)} validation.parquet files, expected 1")
    return pl.read_parquet(found[0])


def main(outs: list[Path]) -> None:
    runs = [run(o) for o in outs]
    tags = [str(i) for i in range(len(runs))]
    print("runs:", ", ".join(f"{t}={o}" for t, o in zip(tags, outs)))
    base = runs[0].select("name", "metric", "scenario", "model", "hardware")
    wide = base
    for t, r in zip(tags, runs):
        wide = wide.join(r.select("name", *(pl.col(c).alias(f"{c}{t}") for c in
                                            ("predicted", "error_pct", "abs_error_pct", "cv_abs_error_pct",
                                             "batch_used"))), on="name", how="left")
    metrics = wide.group_by("metric").agg(
        *(e for t in tags for e in (pl.col(f"abs_error_pct{t}").median().round(2).alias(f"cat{t}"),
                                    pl.col(f"cv_abs_error_pct{t}").median().round(2).alias(f"cv{t}"),
                                    pl.col(f"predicted{t}").is_not_null().sum().alias(f"n{t}"))),
        *(((pl.col(f"predicted{t}") - pl.col("predicted0")).abs() > 1e-9 * pl.col("predicted0").abs())
          .sum().alias(f"moved{t}") for t in tags[1:])).sort("metric")
    touched = wide.filter(pl.col("metric") == "samples_per_s", pl.col("scenario") == "offline",
                          pl.col("model").is_in(list(MODELS)))
    with pl.Config(tbl_rows=80, tbl_width_chars=240, fmt_str_lengths=66, tbl_hide_dataframe_shape=True, tbl_cols=-1):
        print(metrics)
        for by in (("model",), ("model", "hardware")):
            print(touched.group_by(*by).agg(pl.len().alias("rows"),
                                            *(pl.col(f"abs_error_pct{t}").median().round(1).alias(f"cat{t}")
                                              for t in tags),
                                            *(pl.col(f"cv_abs_error_pct{t}").median().round(1).alias(f"cv{t}")
                                              for t in tags)).sort(*by))
        print(touched.select("name", "hardware", *(f"batch_used{t}" for t in tags),
                             *(pl.col(f"error_pct{t}").round(1) for t in tags)).sort("hardware", "name"))


if __name__ == "__main__":
    main([Path(a) for a in sys.argv[1:]])
