"""The held-out figure: a validation run's error on the MLPerf Training v5.1 rows (added by add_rows.py) beside the
v5.0 and v4.1 rows of the same models, per model x accelerator x devices x metric (median signed and absolute
error at the catalog's eta, rows predicted / rows).

    .venv/bin/mlsys validate --out /tmp/acct51-val1
    .venv/bin/python registry_data/research/r-t51/errors.py /tmp/acct51-val1
"""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl

MODELS = ["Llama 2 70B", "Llama 3.1 405B", "Llama 3.1 8B"]
ROUND = pl.col("source_url").str.extract(r"training_results_(v[0-9.]+)")
ROUNDS = ["v4.1", "v5.0", "v5.1"]


def table(run: Path) -> pl.DataFrame:
    found = sorted(Path(run).glob("validation/*/validation.parquet"))
    rows = pl.read_parquet(found[-1]).filter(pl.col("model").is_in(MODELS) & ROUND.is_in(ROUNDS))
    return rows.with_columns(round=ROUND)


def cells(rows: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    """'median signed / median |error| % (predicted/rows)' per group and round."""
    return (rows.group_by([*by, "round"]).agg(
        n=pl.len(), predicted=pl.col("error_pct").is_not_null().sum(),
        signed=pl.col("error_pct").median().round(1), absolute=pl.col("abs_error_pct").median().round(1))
        .with_columns(cell=pl.when(pl.col("predicted") > 0)
                      .then(pl.format("{} / {} ({}/{})", "signed", "absolute", "predicted", "n"))
                      .otherwise(pl.format("- (0/{})", "n"))))


def side_by_side(rows: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    """One line per group the v5.1 rows have, the same group's v4.1 / v5.0 figures beside it."""
    wide = cells(rows, by).pivot(on="round", index=by, values="cell", sort_columns=True)
    held = rows.filter(pl.col("round") == "v5.1").select(by).unique()
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
    print("median signed / median |error| % (predicted/rows), per model x accelerator x devices x metric")
    print(side_by_side(rows, ["model", "hardware", "devices", "metric"]))
    print("per model x accelerator x metric")
    print(side_by_side(rows, ["model", "hardware", "metric"]))
    print("per model x metric")
    print(side_by_side(rows, ["model", "metric"]))
    print("per model")
    print(side_by_side(rows, ["model"]))
    print("v5.1 rows not predicted, and why")
    print(rows.filter((pl.col("round") == "v5.1") & pl.col("error_pct").is_null())
          .select("name", *[c for c in ("reason", "status", "note") if c in rows.columns]))


if __name__ == "__main__":
    main(sys.argv[1])
