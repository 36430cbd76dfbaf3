"""Per-row and summary errors of validation runs on the same rows (r-swread README §3).

    .venv/bin/python registry_data/research/r-swread/compare.py NAME=DIR [NAME=DIR ...]

Each DIR is an ``mlsys validate --out`` directory; the summary is the median / p90 absolute and median signed error
at catalog eta, and the shares within 15 % and 30 %; then each row's signed error per run."""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl


def load(out: str) -> pl.DataFrame:
    path = sorted(Path(out).glob("validation/*/validation.parquet"))[-1]
    return pl.read_parquet(path).select("name", "hardware", "prompt_len", "output_len", "error_pct")


def summary(frame: pl.DataFrame) -> dict:
    e = frame["error_pct"].drop_nulls()
    a = e.abs()
    return {"rows": e.len(), "median_abs": round(a.median(), 1), "p90_abs": round(a.quantile(0.9), 1),
            "median_signed": round(e.median(), 1), "within_15": round(100 * (a <= 15).mean()),
            "within_30": round(100 * (a <= 30).mean())}


def main(args: list[str]) -> None:
    runs = dict(a.split("=", 1) for a in args)
    frames = {k: load(v) for k, v in runs.items()}
    for k, f in frames.items():
        print(k, summary(f))
    first, *rest = frames
    table = frames[first].rename({"error_pct": first})
    for k in rest:
        table = table.join(frames[k].select("name", pl.col("error_pct").alias(k)), on="name", how="left")
    with pl.Config(tbl_rows=100, tbl_width_chars=200, fmt_str_lengths=60):
        print(table.sort("name").with_columns(pl.col(list(frames)).round(1)))


if __name__ == "__main__":
    main(sys.argv[1:])
