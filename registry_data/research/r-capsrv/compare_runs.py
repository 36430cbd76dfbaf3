"""Two validation runs compared row by row (TTFT, ITL, tokens/s): rows predicted in each, the median |error| on the
rows both predict and on each run's own, the new rows' median |error|, rows lost, and the rows that moved by more
than a point (better / worse).

    .venv/bin/python registry_data/research/r-capsrv/compare_runs.py /tmp/capsrv-val0 /tmp/capsrv-valA
"""

from __future__ import annotations

import glob
import sys

import polars as pl


def load(run: str) -> pl.DataFrame:
    return pl.read_parquet(sorted(glob.glob(f"{run}/validation/*/validation.parquet"))[-1])


def median_abs(frame: pl.DataFrame, column: str) -> float:
    return frame[column].abs().median() or 0.0


def main(before: str, after: str) -> None:
    key = ["line", "metric"]
    rows = load(before).select(*key, ea="error_pct").join(load(after).select(*key, eb="error_pct"), on=key)
    for metric in ("ttft_s", "itl_s", "tokens_per_s"):
        x = rows.filter(pl.col("metric") == metric)
        both = x.filter(pl.col("ea").is_not_null() & pl.col("eb").is_not_null())
        new = x.filter(pl.col("ea").is_null() & pl.col("eb").is_not_null())
        lost = x.filter(pl.col("ea").is_not_null() & pl.col("eb").is_null()).height
        moved = both.filter((pl.col("ea") - pl.col("eb")).abs() > 1)
        better = (moved["eb"].abs() < moved["ea"].abs()).sum()
        print(f"{metric}: predicted {x['ea'].is_not_null().sum()} -> {x['eb'].is_not_null().sum()}, lost {lost}; "
              f"median |error| on both {median_abs(both, 'ea'):.1f} -> {median_abs(both, 'eb'):.1f}, "
              f"on each {median_abs(x, 'ea'):.1f} -> {median_abs(x, 'eb'):.1f}, new rows {median_abs(new, 'eb'):.1f}; "
              f"moved > 1 point {moved.height} ({better} better, {moved.height - better} worse)")


if __name__ == "__main__":
    main(*sys.argv[1:])
