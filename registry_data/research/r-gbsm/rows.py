"""Every GB200 NVL72 / GB300 NVL72 validation row at catalog eta (+ = predicted too fast) in two or more
`mlsys validate` runs, row by row, and per (hardware, model, dtype, framework, metric) the median |error|:

    .venv/bin/python registry_data/research/r-gbsm/rows.py RUN0/validation.parquet RUN1/validation.parquet [...]
"""

from __future__ import annotations

import sys

import polars as pl

HARDWARE = ("GB200 NVL72 GPU", "GB300 NVL72 GPU")
GROUP = ["hardware", "model", "compute_dtype", "framework", "metric"]


def rows(path: str, i: int) -> pl.DataFrame:
    """The run's GB rows: name, metric, group columns and its signed error as ``e{i}``."""
    t = pl.read_parquet(path).filter(pl.col("hardware").is_in(HARDWARE))
    return t.select("name", *GROUP, "devices", "scenario", pl.col("error_pct").alias(f"e{i}"))


def main(paths: list[str]) -> None:
    table = rows(paths[0], 0)
    for i, p in enumerate(paths[1:], 1):
        table = table.join(rows(p, i).select("name", "metric", f"e{i}"), on=["name", "metric"], how="full",
                           coalesce=True)
    runs = [f"e{i}" for i in range(len(paths))]
    table = table.sort(*GROUP, "devices", "name")
    print("| row | hw | model | dtype | framework | metric | " + " | ".join(runs) + " |")
    print("|---|---|---|---|---|---|" + "---|" * len(runs))
    for r in table.iter_rows(named=True):
        cells = " | ".join("-" if r[e] is None else f"{r[e]:+.1f}" for e in runs)
        print(f"| {r['name']} | {r['hardware'].split()[0]} | {r['model']} | {r['compute_dtype']} | {r['framework']} "
              f"| {r['metric']} | {cells} |")
    groups = table.group_by(GROUP).agg(pl.len().alias("rows"), *(pl.col(e).abs().median() for e in runs)).sort(GROUP)
    print("\n| hw | model | dtype | framework | metric | rows | " + " | ".join(f"median abs {e}" for e in runs) + " |")
    print("|---|---|---|---|---|---|" + "---|" * len(runs))
    for r in groups.iter_rows(named=True):
        cells = " | ".join("-" if r[e] is None else f"{r[e]:.1f}" for e in runs)
        print(f"| {r['hardware'].split()[0]} | {r['model']} | {r['compute_dtype']} | {r['framework']} | {r['metric']} "
              f"| {r['rows']} | {cells} |")


if __name__ == "__main__":
    main(sys.argv[1:])
