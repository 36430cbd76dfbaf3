"""How many steps wall 7's load fixed point needs on the catalog (run by hand, from a tree's root:
`.venv/bin/python registry_data/research/r-fixpt/convergence.py OUT N1 N2 ...`): every measurement predicted (as
`mlsys validate` does) with ``serving_load.LOAD_ITERATIONS`` set to each N in turn, one process per N (so no cache
holds another N's plan), then the serving rows under a request rate or a closed loop that move by more than 0.1 %
(and 1 %) between consecutive N, or gain or lose a prediction. OUT: a folder for the per-N tables."""

from __future__ import annotations

import os
import subprocess
import sys

import polars as pl


def predicted(n: int, path: str) -> None:
    """Every row predicted with ``n`` steps, written to ``path``."""
    from pipeline.catalogs.load import load_catalogs
    from pipeline.studies import serving, serving_load
    from pipeline.validation import errors, predict, read_measurements

    serving_load.LOAD_ITERATIONS = n
    for function in (serving.build, serving.inputs, serving_load.under_load_values):
        function.__defaults__ = (*function.__defaults__[:-1], n)  # each one's last: the steps
    catalogs = load_catalogs()
    measured = read_measurements(None, catalogs)
    table = errors(measured.rows, predict(measured.rows, catalogs))
    table.select("name", "metric", "request_rate", "predicted").write_parquet(path)


def compare(out: str, counts: list[int]) -> None:
    tables = {n: pl.read_parquet(f"{out}/steps{n}.parquet") for n in counts}
    latency = pl.col("request_rate").is_not_null() & pl.col("metric").is_in(["ttft_s", "itl_s"])
    print(f"rows: {tables[counts[0]].height}, latency rows under a rate: {tables[counts[0]].filter(latency).height}")
    for a, b in zip(counts, counts[1:], strict=False):
        j = tables[a].join(tables[b].select("name", p2="predicted"), on="name")
        moved = j.filter(pl.col("predicted").is_null() != pl.col("p2").is_null())
        rel = j.filter(pl.col("predicted").is_not_null() & pl.col("p2").is_not_null()).with_columns(
            rel=(pl.col("p2") / pl.col("predicted") - 1.0).abs())
        print(f"{a} -> {b} steps: rows moved > 0.1 %: {rel.filter(pl.col('rel') > 1e-3).height}, > 1 %: "
              f"{rel.filter(pl.col('rel') > 1e-2).height}, gained or lost: {moved.height}, largest move "
              f"{rel['rel'].max():.2e}; latency rows under a rate moved > 1 %: "
              f"{rel.filter(latency & (pl.col('rel') > 1e-2)).height}")
        worst = rel.sort("rel", descending=True).head(3)
        for r in worst.iter_rows(named=True):
            print(f"    {r['rel']:.2e} {r['metric']} {r['name'][:100]}")


if __name__ == "__main__":
    out, counts = sys.argv[1], [int(n) for n in sys.argv[2:]]
    if os.environ.get("FIXPT_ONE"):
        predicted(counts[0], f"{out}/steps{counts[0]}.parquet")
    else:
        os.makedirs(out, exist_ok=True)
        for n in counts:
            subprocess.run([sys.executable, __file__, out, str(n)], env=os.environ | {"FIXPT_ONE": "1"}, check=True)
        compare(out, counts)
