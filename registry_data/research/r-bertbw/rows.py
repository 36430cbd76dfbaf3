"""The MLPerf Training BERT rows' signed error (+ = predicted too fast) in two `mlsys validate` runs, row by row.

    .venv/bin/python registry_data/research/r-bertbw/rows.py BEFORE/validation.parquet AFTER/validation.parquet
"""

from __future__ import annotations

import sys

import polars as pl


def bert(path: str) -> pl.DataFrame:
    return (pl.read_parquet(path).filter(pl.col("name").str.contains("^mlperf-train-.*bert"),
                                         pl.col("metric") == "samples_per_s")
            .select("name", "hardware", "devices", "batch", "measured", "error_pct"))


if __name__ == "__main__":
    a, b = bert(sys.argv[1]), bert(sys.argv[2]).select("name", pl.col("error_pct").alias("after"))
    f = a.join(b, on="name").sort("hardware", "devices", "name")
    print("| row | accelerator | GPUs | per GPU | before % | after % |\n|---|---|---|---|---|---|")
    for r in f.iter_rows(named=True):
        print(f"| {r['name'].removeprefix('mlperf-train-').removesuffix('-bert-throughput')} | {r['hardware']} | "
              f"{r['devices']} | {r['batch'] // r['devices']} | {r['error_pct']:+.1f} | {r['after']:+.1f} |")
