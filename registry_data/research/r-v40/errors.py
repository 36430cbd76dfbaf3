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
# the per-group medians are r-v50's (one implementation)
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


def side_by_side(rows: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    """One line per group the held-out rows have; per round 'median signed / median |error| % (predicted/rows)'."""
    cells = V50.summary(rows.filter(pl.col("round").is_in(ROUNDS)), [*by, "round"]).with_columns(
        cell=pl.when(pl.col("predicted") > 0).then(pl.format("{} / {} ({}/{})", pl.col("median_signed_pct"),
                                                                 pl.col("median_abs_pct"), "predicted", "n"))
        .otherwise(pl.format("- (0/{})", "n")))
    wide = cells.pivot(on="round", index=by, values="cell", sort_columns=True)
    held = rows.filter("held").select(by).unique()
    return held.join(wide, on=by, how="left").sort(by)


def main(run: str) -> None:
    rows = table(Path(run))
    with pl.Config(tbl_rows=200, tbl_width_chars=200, tbl_hide_dataframe_shape=True, tbl_formatting="ASCII_MARKDOWN",
                   tbl_hide_column_data_types=True, tbl_cols=-1, fmt_str_lengths=40):
        print("held-out rows (v4.0 NVIDIA): name, measured, predicted, error %")
        print(rows.filter("held").select("name", "metric", "measured", "predicted", "error_pct", "reason").sort("name"))
        for title, by in (("per model x accelerator x scenario x metric", ["model", "hardware", "scenario", "metric"]),
                          ("per model x scenario x metric", ["model", "scenario", "metric"]),
                          ("per accelerator", ["hardware"])):
            print(f"median signed / median |error| % (predicted/rows), {title}")
            print(side_by_side(rows, by))


if __name__ == "__main__":
    main(sys.argv[1])
