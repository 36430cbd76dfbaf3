"""r-infx's rows' error at the catalog's eta by cluster: hardware x framework x precision x layout (the
configuration), x isl / osl, and by concurrency; the rows not predicted and why. Reads a validation table (an
``mlsys validate --out DIR`` run's DIR/validation/<id>/validation.parquet, or ``errors(...)`` of
pipeline.validation written to Parquet): columns name, metric, error_pct, predicted, reason.

    .venv/bin/python registry_data/research/r-infx/errors.py VALIDATION.parquet
"""

from __future__ import annotations

import sys

import polars as pl

pl.Config.set_tbl_rows(80)
pl.Config.set_tbl_width_chars(200)
pl.Config.set_tbl_hide_dataframe_shape(True)


def table(path: str) -> pl.DataFrame:
    """The r-infx rows of the validation table at ``path`` with their cluster keys."""
    t = pl.read_parquet(path).filter(pl.col("name").str.starts_with("infx-"))
    return t.with_columns(
        config=pl.col("name").str.extract(r"^infx-dsr1-(.*)-isl"),
        io=pl.col("name").str.extract(r"-isl(\d+-osl\d+)-").str.replace("-osl", "/"),
        conc=pl.col("name").str.extract(r"-c(\d+)-").cast(pl.Int64))


def summary(t: pl.DataFrame, *keys: str) -> pl.DataFrame:
    """Rows, rows predicted, median signed and median |error| (%) per metric and ``keys``."""
    return (t.group_by("metric", *keys).agg(
        rows=pl.len(), predicted=pl.col("error_pct").is_not_null().sum(),
        signed=pl.col("error_pct").median().round(1), abs=pl.col("error_pct").abs().median().round(1),
        low=pl.col("error_pct").min().round(1), high=pl.col("error_pct").max().round(1))
        .sort("metric", *keys))


def main(path: str) -> None:
    t = table(path)
    print("all rows\n", summary(t))
    print("by configuration\n", summary(t, "config"))
    print("by configuration x isl/osl\n", summary(t, "config", "io"))
    print("by concurrency\n", summary(t, "conc"))
    missing = t.filter(pl.col("predicted").is_null())
    print(f"not predicted: {missing.height}")
    if missing.height:
        print(missing.group_by("reason").agg(pl.len(), pl.col("name").first()))


if __name__ == "__main__":
    main(sys.argv[1])
