"""The held-out figure: a validation run's error on the MLPerf Inference v6.0 rows add_rows.py adds, beside the
catalog's v5.1 rows (every v5.1 row, r-v50b's partner rows included), at the catalog's eta.

Per figure (tokens/s Offline, tokens/s Server and Interactive, TTFT p50, TPOT mean) and per accelerator, model,
framework: median signed and median |error| % (error = predicted / measured - 1) and rows predicted / rows; then the
worst v6.0 rows, and the v6.0 rows the model does not predict, by reason.

    .venv/bin/mlsys validate --out /tmp/v60val
    .venv/bin/python registry_data/research/r-v60/errors.py /tmp/v60val
"""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl

# add_rows.py's notes, and only its, say this
HELD = pl.col("notes").str.contains("MLPerf Inference v6.0 closed datacenter (", literal=True)
V51 = pl.col("source_url").str.contains("inference_results_v5.1", literal=True)
FIGURE = (pl.when(pl.col("metric") == "tokens_per_s").then(pl.format("tokens_per_s {}", "scenario"))
          .otherwise(pl.col("metric")))
ROUNDS = ("v5.1", "v6.0")
FORMAT = {"tbl_rows": 300, "tbl_width_chars": 220, "tbl_hide_dataframe_shape": True,
          "tbl_formatting": "ASCII_MARKDOWN", "tbl_hide_column_data_types": True, "tbl_cols": -1,
          "fmt_str_lengths": 60}


def table(run: Path) -> pl.DataFrame:
    found = sorted(Path(run).glob("validation/*/validation.parquet"))
    rows = pl.read_parquet(found[-1]).filter(HELD | V51)
    return rows.with_columns(round=pl.when(HELD).then(pl.lit("v6.0")).otherwise(pl.lit("v5.1")),
                             scenario=pl.when(pl.col("name").str.contains("interactive")).then(pl.lit("interactive"))
                             .otherwise(pl.col("scenario")),
                             submitter=pl.col("source_url").str.extract(r"/closed/([^/]+)/")).with_columns(
        figure=FIGURE)


def side_by_side(rows: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    """One line per group the v6.0 rows have: per round 'median signed / median |error| % (predicted/rows)'."""
    cells = (rows.group_by([*by, "round"]).agg(
        n=pl.len(), predicted=pl.col("error_pct").is_not_null().sum(),
        signed=pl.col("error_pct").median().round(1), absolute=pl.col("abs_error_pct").median().round(1))
        .with_columns(cell=pl.when(pl.col("predicted") > 0)
                      .then(pl.format("{} / {} ({}/{})", "signed", "absolute", "predicted", "n"))
                      .otherwise(pl.format("- (0/{})", "n"))))
    wide = cells.pivot(on="round", index=by, values="cell", sort_columns=True)
    for missing in set(ROUNDS) - set(wide.columns):
        wide = wide.with_columns(pl.lit(None, pl.String).alias(missing))
    return (rows.filter(pl.col("round") == "v6.0").select(by).unique().join(wide, on=by, how="left")
            .select(*by, *ROUNDS).sort(by))


def worst(rows: pl.DataFrame, n: int = 30) -> pl.DataFrame:
    return (rows.filter((pl.col("round") == "v6.0") & pl.col("error_pct").is_not_null())
            .sort("abs_error_pct", descending=True).head(n)
            .select("submitter", "model", "hardware", "devices", "compute_dtype", "framework", "scenario", "metric",
                    "tp", "pp", pl.col("request_rate").round(2), pl.col("measured").round(4),
                    pl.col("predicted").round(4), pl.col("error_pct").round(1), "bound", "batch_used"))


def main(run: str) -> None:
    rows = table(Path(run))
    held = rows.filter(pl.col("round") == "v6.0")
    with pl.Config(**FORMAT):
        print(f"v6.0 rows {held.height}, predicted {held['error_pct'].is_not_null().sum()}, median |error| "
              f"{held['abs_error_pct'].median():.1f} %")
        print("median signed / median |error| % (predicted/rows), per figure")
        print(side_by_side(rows, ["figure"]))
        for by in ("hardware", "model", "framework"):
            print(f"per figure x {by}")
            print(side_by_side(rows, ["figure", by]))
        print("per model x accelerator x figure")
        print(side_by_side(rows, ["model", "hardware", "figure"]))
        print("the worst v6.0 rows (|error|)")
        print(worst(rows))
        print("v6.0 rows not predicted, by reason")
        print(held.filter(pl.col("error_pct").is_null()).group_by("model", "hardware", "figure", "reason").len()
              .sort("model", "hardware", "figure"))


if __name__ == "__main__":
    main(sys.argv[1])
