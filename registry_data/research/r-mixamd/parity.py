"""How many Server latency rows (TTFT, ITL under a request rate) move by more than 1 % between `mlsys validate` runs
(run by hand: `.venv/bin/python registry_data/research/r-mixamd/parity.py OUT_A OUT_B`, each the --out of a run):
the shipped 6 fixed-point steps against 7 or 8 (a copy of the tree with ``serving_load.LOAD_ITERATIONS`` changed), or
against the patch; and the rows that gain or lose a prediction."""

from __future__ import annotations

import glob
import sys

import polars as pl


def rows(out: str) -> pl.DataFrame:
    (path,) = glob.glob(f"{out}/validation/*/validation.parquet")
    return pl.read_parquet(path).select("name", "metric", "request_rate", "predicted", "error_pct", "reason")


if __name__ == "__main__":
    a, b = (rows(o) for o in sys.argv[1:3])
    j = a.join(b.select("name", p2="predicted", e2="error_pct"), on="name")
    latency = j.filter(pl.col("request_rate").is_not_null() & pl.col("metric").is_in(["ttft_s", "itl_s"]))
    moved = latency.filter(((pl.col("p2") / pl.col("predicted") - 1).abs() > 0.01)
                           | (pl.col("p2").is_null() != pl.col("predicted").is_null()))
    print(f"latency rows under a rate: {latency.height}, moved > 1 % or gained / lost: {moved.height}")
    print("gain:", j.filter(pl.col("predicted").is_null() & pl.col("p2").is_not_null())["name"].to_list())
    print("lose:", j.filter(pl.col("predicted").is_not_null() & pl.col("p2").is_null())["name"].to_list())
