"""The Llama 3.1 8B RTX PRO 6000 Interactive TTFT / ITL rows (MLPerf v5.1 / v6.0) of two validation runs side by
side: measured, predicted and error in each, and the reason where a run does not predict the row.

    .venv/bin/python registry_data/research/r-hybrid/rtx_rows.py /tmp/hybrid/val-main /tmp/hybrid/val-C
"""

from __future__ import annotations

import glob
import sys

import polars as pl


def load(run: str) -> pl.DataFrame:
    return pl.read_parquet(sorted(glob.glob(f"{run}/validation/*/validation.parquet"))[-1])


def main(before: str, after: str) -> None:
    rows = (pl.col("name").str.contains("rtx-?pro-?6000") & pl.col("name").str.contains("llama3.1-8b-interactive")
            & pl.col("metric").is_in(["ttft_s", "itl_s"]))
    a = load(before).filter(rows).select("name", "metric", "measured", pa="predicted", ea="error_pct", ra="reason")
    b = load(after).filter(rows).select("name", "metric", pb="predicted", eb="error_pct", rb="reason")
    print("| row | metric | measured s | before: predicted s (error %) | after: predicted s (error %) |")
    print("|---|---|---|---|---|")
    for r in a.join(b, on=["name", "metric"]).sort("name", "metric").iter_rows(named=True):
        cells = []
        for p, e, why in ((r["pa"], r["ea"], r["ra"]), (r["pb"], r["eb"], r["rb"])):
            cells.append(f"{p:.4g} ({e:+.0f})" if e is not None else f"not predicted: {(why or '')[:40]}")
        short = r["name"].removeprefix("mlperf-inf-").replace("-interactive", "").replace("-llama3.1-8b", "")
        print(f"| {short} | {r['metric']} | {r['measured']:.4g} | {cells[0]} | {cells[1]} |")


if __name__ == "__main__":
    main(*sys.argv[1:])
