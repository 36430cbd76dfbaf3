"""The held-out figure: a validation run's error on the MLPerf Inference v5.1 rows add_rows.py adds ("v5.1b") beside
the catalog's earlier v5.0 and v5.1 rows of the same models, per model x scenario x metric x submitter group (NVIDIA,
AMD, partner), median signed and absolute error at the catalog's eta, rows predicted / rows; then the worst rows.

    .venv/bin/mlsys validate --out /tmp/accv50b-val1
    .venv/bin/python registry_data/research/r-v50b/errors.py /tmp/accv50b-val1
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import polars as pl

ROUND = pl.col("source_url").str.extract(r"inference_results_(v[0-9.]+)")
# add_rows.py's notes, and only its, say "MLPerf Inference v5.1 closed datacenter (" (r-v50's say v5.0)
HELD = pl.col("notes").str.contains("MLPerf Inference v5.1 closed datacenter (", literal=True)
SUBMITTER = pl.col("source_url").str.extract(r"/closed/([^/]+)/")
GROUP = (pl.when(SUBMITTER == "NVIDIA").then(pl.lit("NVIDIA")).when(SUBMITTER == "AMD").then(pl.lit("AMD"))
         .otherwise(pl.lit("partner")))
# the per-group tables are r-v50's (one implementation)
_SPEC = importlib.util.spec_from_file_location("errors_v50_for_v50b",
                                               Path(__file__).parent.parent / "r-v50" / "errors.py")
V50 = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(V50)


def table(run: Path) -> pl.DataFrame:
    found = sorted(Path(run).glob("validation/*/validation.parquet"))
    rows = pl.read_parquet(found[-1]).filter(ROUND.is_in(["v5.0", "v5.1"])).with_columns(
        round=pl.when(HELD).then(pl.lit("v5.1b")).otherwise(ROUND), group=GROUP, submitter=SUBMITTER,
        interactive=pl.col("name").str.contains("interactive"))
    return rows.with_columns(scenario=pl.when(pl.col("interactive")).then(pl.lit("interactive"))
                             .otherwise(pl.col("scenario")))


def worst(rows: pl.DataFrame, n: int = 25) -> pl.DataFrame:
    return (rows.filter((pl.col("round") == "v5.1b") & pl.col("error_pct").is_not_null())
            .sort("abs_error_pct", descending=True).head(n)
            .select("submitter", "model", "hardware", "devices", "compute_dtype", "scenario", "metric",
                    pl.col("request_rate").round(2), pl.col("measured").round(4), pl.col("predicted").round(4),
                    pl.col("error_pct").round(1), "bound", "batch_used"))


def main(run: str) -> None:
    rows = table(Path(run))
    held = pl.col("round") == "v5.1b"
    rounds = ("v5.0", "v5.1", "v5.1b")
    with pl.Config(**V50.FORMAT):
        print("median signed / median |error| % (predicted/rows), per model x scenario x metric x submitter group")
        print(V50.side_by_side(rows, ["model", "scenario", "metric", "group"], held, rounds))
        print("per model x scenario x metric")
        print(V50.side_by_side(rows, ["model", "scenario", "metric"], held, rounds))
        print("per scenario x metric")
        print(V50.side_by_side(rows, ["scenario", "metric"], held, rounds))
        print("per model x accelerator x scenario x metric")
        print(V50.side_by_side(rows, ["model", "hardware", "scenario", "metric"], held, rounds))
        print("the worst held-out rows (|error|)")
        print(worst(rows))
        print("held-out rows not predicted, by reason")
        print(rows.filter(held & pl.col("error_pct").is_null()).group_by("model", "hardware", "reason").len()
              .sort("model", "hardware"))


if __name__ == "__main__":
    main(sys.argv[1])
