"""Signed error of the MLPerf BERT training rows (samples_per_s, catalog η) in two or more validation runs.

    .venv/bin/python registry_data/research/r-bertfp8/rows.py A/validation.parquet B/validation.parquet ...

Prints, per accelerator, the rows and the median signed error (+ = predicted too fast) of each run, and the sum of
|error| over the rows.
"""

from __future__ import annotations

import sys

import polars as pl


def bert(path: str) -> pl.DataFrame:
    return (pl.read_parquet(path)
            .filter(pl.col("metric") == "samples_per_s", pl.col("model") == "BERT-Large",
                    pl.col("scenario") == "training", pl.col("predicted").is_not_null())
            .select("name", "hardware", "devices", "error_pct"))


def main(paths: list[str]) -> None:
    runs = [bert(p) for p in paths]
    print("| accelerator | rows | " + " | ".join(f"run {i} median" for i in range(len(runs))) + " |")
    print("|---|---|" + "---|" * len(runs))
    med = [r.group_by("hardware").agg(pl.len().alias("rows"), pl.col("error_pct").median().alias(f"m{i}"))
           for i, r in enumerate(runs)]
    joined = med[0]
    for i, m in enumerate(med[1:], 1):
        joined = joined.join(m.drop("rows"), on="hardware", how="full", coalesce=True)
    for row in joined.sort("hardware").iter_rows(named=True):
        cells = " | ".join(f"{row[f'm{i}']:+.1f}" for i in range(len(runs)))
        print(f"| {row['hardware']} | {row['rows']} | {cells} |")
    print("sum |error|: " + ", ".join(f"run {i} {r['error_pct'].abs().sum():.0f}" for i, r in enumerate(runs)))


if __name__ == "__main__":
    main(sys.argv[1:])
