"""The held-out figure: a validation run's error on the MLPerf Inference v5.0 rows (added by add_rows.py) beside the
v4.1 and v5.1 rows of the same models, per model x accelerator x scenario x metric (median signed and absolute
error at the catalog's eta, rows predicted / rows).

    .venv/bin/mlsys validate --out /tmp/accv50-val1
    .venv/bin/python registry_data/research/r-v50/errors.py /tmp/accv50-val1
"""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl

MODELS = ["Llama 2 70B", "Mixtral 8x7B", "Llama 3.1 405B", "GPT-J 6B"]
ROUND = pl.col("source_url").str.extract(r"inference_results_(v[0-9.]+)")


def table(run: Path) -> pl.DataFrame:
    found = sorted(Path(run).glob("validation/*/validation.parquet"))
    rows = pl.read_parquet(found[-1]).filter(pl.col("model").is_in(MODELS) & ROUND.is_not_null())
    rows = rows.with_columns(round=ROUND, interactive=pl.col("name").str.contains("interactive"))
    return rows.with_columns(scenario=pl.when(pl.col("interactive")).then(pl.lit("interactive"))
                             .otherwise(pl.col("scenario")))


def summary(rows: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    return (rows.group_by(by).agg(
        n=pl.len(), predicted=pl.col("error_pct").is_not_null().sum(),
        median_signed_pct=pl.col("error_pct").median().round(1),
        median_abs_pct=pl.col("abs_error_pct").median().round(1))
        .sort(by))


def side_by_side(rows: pl.DataFrame, by: list[str], held: pl.Expr = pl.col("round") == "v5.0",
                 rounds: tuple[str, ...] = ("v4.1", "v5.0", "v5.1")) -> pl.DataFrame:
    """One line per group the held-out rows (``held``) have; per round of ``rounds`` 'median signed / median |error|
    % (predicted/rows)'. r-v40's and r-t51's errors.py use it too."""
    cells = summary(rows.filter(pl.col("round").is_in(rounds)), [*by, "round"]).with_columns(
        cell=pl.when(pl.col("predicted") > 0).then(pl.format("{} / {} ({}/{})", pl.col("median_signed_pct"),
                                                                 pl.col("median_abs_pct"), "predicted", "n"))
        .otherwise(pl.format("- (0/{})", "n")))
    wide = cells.pivot(on="round", index=by, values="cell", sort_columns=True)
    return rows.filter(held).select(by).unique().join(wide, on=by, how="left").sort(by)


# how the three held-out folders print their tables (Markdown, every row and column)
FORMAT = {"tbl_rows": 200, "tbl_width_chars": 200, "tbl_hide_dataframe_shape": True, "tbl_formatting": "ASCII_MARKDOWN",
          "tbl_hide_column_data_types": True, "tbl_cols": -1, "fmt_str_lengths": 40}


def main(run: str) -> None:
    rows = table(Path(run))
    pl.Config(**FORMAT)
    print("median signed / median |error| % (predicted/rows), per model x accelerator x scenario x metric")
    print(side_by_side(rows, ["model", "hardware", "scenario", "metric"]))
    print("per model x scenario x metric")
    print(side_by_side(rows, ["model", "scenario", "metric"]))
    print("per scenario x metric")
    print(side_by_side(rows, ["scenario", "metric"]))
    print("per accelerator")
    print(side_by_side(rows, ["hardware"]))


if __name__ == "__main__":
    main(sys.argv[1])
