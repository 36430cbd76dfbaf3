"""The held-out figure: a validation run's error on the MLPerf Inference v4.0 NVIDIA rows (added by add_rows.py)
beside the v4.1, v5.0 and v5.1 rows of the same groups, per model x accelerator x scenario x metric (median signed and
absolute error at the catalog's eta, rows predicted / rows).

    .venv/bin/mlsys validate --out /tmp/accv40-val1
    .venv/bin/python registry_data/research/r-v40/errors.py /tmp/accv40-val1
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import polars as pl

ROUND = pl.col("source_url").str.extract(r"inference_results_(v[0-9.]+)")
HELD = pl.col("name").str.starts_with("mlperf-inf-v4.0-nvidia-")
ROUNDS = ["v4.0", "v4.1", "v5.0", "v5.1"]
# the per-group tables are r-v50's (one implementation)
_SPEC = importlib.util.spec_from_file_location("errors_v50_for_v40",
                                               Path(__file__).parent.parent / "r-v50" / "errors.py")
V50 = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(V50)


def table(run: Path) -> pl.DataFrame:
    found = sorted(Path(run).glob("validation/*/validation.parquet"))
    rows = pl.read_parquet(found[-1]).filter(ROUND.is_not_null()).with_columns(
        round=ROUND, interactive=pl.col("name").str.contains("interactive"), held=HELD)
    models = rows.filter("held")["model"].unique().implode()
    rows = rows.filter(pl.col("model").is_in(models) & (pl.col("held") | (pl.col("round") != "v4.0")))
    return rows.with_columns(scenario=pl.when(pl.col("interactive")).then(pl.lit("interactive"))
                             .otherwise(pl.col("scenario")))


def main(run: str) -> None:
    rows = table(Path(run))
    with pl.Config(**V50.FORMAT):
        print("held-out rows (v4.0 NVIDIA): name, measured, predicted, error %")
        print(rows.filter("held").select("name", "metric", "measured", "predicted", "error_pct", "reason").sort("name"))
        for title, by in (("per model x accelerator x scenario x metric", ["model", "hardware", "scenario", "metric"]),
                          ("per model x scenario x metric", ["model", "scenario", "metric"]),
                          ("per accelerator", ["hardware"])):
            print(f"median signed / median |error| % (predicted/rows), {title}")
            print(V50.side_by_side(rows, by, pl.col("held"), ROUNDS))


if __name__ == "__main__":
    main(sys.argv[1])
