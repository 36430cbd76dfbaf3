"""The held-out figure: a validation run's error on the MLPerf Inference v4.0 NVIDIA rows (added by add_rows.py)
beside the v4.1, v5.0 and v5.1 rows of the same groups, per model x accelerator x scenario x metric (median signed and
absolute error at the catalog's eta, rows predicted / rows).

    .venv/bin/mlsys validate --out /tmp/accv40-val1
    .venv/bin/python registry_data/research/r-v40/errors.py /tmp/accv40-val1
"""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl

ROUND = pl.col("source_url").str.extract(r"inference_results_(v[0-9.]+)")
HELD = pl.col("name").str.starts_with("mlperf-inf-v4.0-nvidia-")
ROUNDS = ["v4.0", "v4.1", "v5.0", "v5.1"]


def table(run: Path) -> pl.DataFrame:
    found = sorted(Path(run).glob("validation/*/validation.parquet"))
    rows = pl.read_parquet(found[-1]).filter(ROUND.is_not_null()).with_columns(
        round=ROUND, interactive=pl.col("name").str.contains("interactive"), held=HELD)
    models = rows.filter("held")["model"].unique().implode()
    rows = rows.filter(pl.col("model").is_in(models) & (pl.col("held") | (pl.col("round") != "v4.0")))
    return rows.with_columns(scenario=pl.when(pl.col("interactive")).then(pl.lit("interactive"))
                             .otherwise(pl.col("scenario")))


def summary(rows: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    return (rows.group_by(by).agg(
        n=pl.len(), predicted=pl.col("error_pct").is_not_null().sum(),
        median_signed_pct=pl.col("error_pct").median().round(1),
        median_abs_pct=pl.col("abs_error_pct").median().round(1))
        .sort(by))


def side_by_side(rows: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    """One line per group the held-out rows have; per round 'median signed / median |error| % (predicted/rows)'."""
    cells = summary(rows.filter(pl.col("round").is_in(ROUNDS)), [*by, "round"]).with_columns(
        cell=pl.when(pl.col("predicted") > 0).then(pl.format("{} / {} ({}/{})", pl.col("median_signed_pct"),
                                                                 pl.col("median_abs_pct"), "predicted", "n"))
        .otherwise(pl.format("- (0/{})", "n")))
    wide = cells.pivot(on="round", index=by, values="cell", sort_columns=True)
    held = rows.filter("held").select(by).unique()
    return held.join(wide, on=by, how="left").sort(by)


def main(run: str) -> None:
    rows = table(Path(run))
    pl.Config.set_tbl_rows(200)
    pl.Config.set_tbl_width_chars(200)
    pl.Config.set_tbl_hide_dataframe_shape(True)
    pl.Config.set_tbl_formatting("ASCII_MARKDOWN")
    pl.Config.set_tbl_hide_column_data_types(True)
    pl.Config.set_tbl_cols(-1)
    pl.Config.set_fmt_str_lengths(40)
    print("held-out rows (v4.0 NVIDIA): name, measured, predicted, error %")
    print(rows.filter("held").select("name", "metric", "measured", "predicted", "error_pct", "reason").sort("name"))
    print("median signed / median |error| % (predicted/rows), per model x accelerator x scenario x metric")
    print(side_by_side(rows, ["model", "hardware", "scenario", "metric"]))
    print("per model x scenario x metric")
    print(side_by_side(rows, ["model", "scenario", "metric"]))
    print("per accelerator")
    print(side_by_side(rows, ["hardware"]))


if __name__ == "__main__":
    main(sys.argv[1])
