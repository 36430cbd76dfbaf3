"""Which latency rows moved between two `mlsys validate` runs, and the catalog medians on the rows both predict (run by
hand: `.venv/bin/python registry_data/research/r-fixpt/moved.py OUT_BEFORE OUT_AFTER`, each the --out of a run)."""

from __future__ import annotations

import glob
import sys

import polars as pl


def rows(out: str) -> pl.DataFrame:
    (path,) = glob.glob(f"{out}/validation/*/validation.parquet")
    return pl.read_parquet(path).select("name", "metric", "request_rate", "predicted", "error_pct", "reason")


if __name__ == "__main__":
    a, b = (rows(o) for o in sys.argv[1:3])
    j = a.join(b.select("name", p2="predicted", e2="error_pct", r2="reason"), on="name")
    for metric in ("ttft_s", "itl_s"):
        m = j.filter(pl.col("metric") == metric)
        both = m.filter(pl.col("error_pct").is_not_null() & pl.col("e2").is_not_null())
        print(f"{metric}: predicted {m['error_pct'].is_not_null().sum()} -> {m['e2'].is_not_null().sum()}; "
              f"median |error| on the {both.height} rows both predict: {both['error_pct'].abs().median():.1f} -> "
              f"{both['e2'].abs().median():.1f}; all: {m['error_pct'].abs().median():.1f} -> "
              f"{m['e2'].abs().median():.1f}")
        gained = m.filter(pl.col("error_pct").is_null() & pl.col("e2").is_not_null())
        print(f"  gained {gained.height}: errors {sorted(round(x) for x in gained['e2'])}")
        for n in gained["name"]:
            print("    ", n)
        moved = both.filter((pl.col("p2") / pl.col("predicted") - 1).abs() > 0.01)
        better = moved.filter(pl.col("e2").abs() < pl.col("error_pct").abs())
        print(f"  moved > 1 %: {moved.height} ({better.height} closer to the measurement)")
        for r in moved.sort("name").iter_rows(named=True):
            print(f"    {r['error_pct']:+7.1f} -> {r['e2']:+7.1f}  {r['name']}")
