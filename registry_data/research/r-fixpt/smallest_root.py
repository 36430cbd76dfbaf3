"""Which count of geometric nodes (``serving_fixed_point.BATCH_NODES``) finds the smallest root of the batch in
flight on every catalog row (run by hand from a tree's root: `.venv/bin/python
registry_data/research/r-fixpt/smallest_root.py OUT REF N1 N2 ...`): every measurement predicted (``convergence.py``'s
``predicted``) with REF nodes (a dense scan: its first sign change brackets the smallest root wherever two roots
are farther apart than one node ratio) and with each N, one process each, at ``LOAD_ITERATIONS`` steps, then the
rows that differ from REF by more than 1e-6, 0.1 % and 1 %. OUT: a folder for the per-count tables."""

from __future__ import annotations

import os
import subprocess
import sys

import polars as pl


def compare(out: str, ref: int, counts: list[int]) -> None:
    base = pl.read_parquet(f"{out}/nodes{ref}.parquet")
    for n in counts:
        j = base.join(pl.read_parquet(f"{out}/nodes{n}.parquet").select("name", p2="predicted"), on="name")
        both = j.filter(pl.col("predicted").is_not_null() & pl.col("p2").is_not_null()).with_columns(
            rel=(pl.col("p2") / pl.col("predicted") - 1.0).abs())
        flip = j.filter(pl.col("predicted").is_null() != pl.col("p2").is_null()).height
        print(f"{n} nodes against {ref}: rows differing > 1e-6: {both.filter(pl.col('rel') > 1e-6).height}, "
              f"> 0.1 %: {both.filter(pl.col('rel') > 1e-3).height}, > 1 %: {both.filter(pl.col('rel') > 1e-2).height}"
              f", gained or lost: {flip}")
        for r in both.sort("rel", descending=True).head(3).iter_rows(named=True):
            print(f"    {r['rel']:.2e} {r['metric']} {r['name'][:100]}")


if __name__ == "__main__":
    out, counts = sys.argv[1], [int(n) for n in sys.argv[2:]]
    if os.environ.get("FIXPT_ONE"):
        sys.path.insert(0, os.path.dirname(__file__))
        from convergence import predicted

        from pipeline.studies import serving_fixed_point, serving_load

        serving_fixed_point.BATCH_NODES = counts[0]
        predicted(serving_load.LOAD_ITERATIONS, f"{out}/nodes{counts[0]}.parquet")
    else:
        os.makedirs(out, exist_ok=True)
        for n in counts:
            if not os.path.exists(f"{out}/nodes{n}.parquet"):
                subprocess.run([sys.executable, __file__, out, str(n)], env=os.environ | {"FIXPT_ONE": "1"}, check=True)
        compare(out, counts[0], counts[1:])
