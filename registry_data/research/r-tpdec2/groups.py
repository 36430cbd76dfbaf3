"""TensorRT-LLM's perf-overview tokens_per_s rows (trtllm-bench throughput): the median signed error overall, by tp,
by accelerator and tp, and by dtype, for one validation run or two side by side. Run from the repository root:

    .venv/bin/python -m pipeline validate --out DIR
    .venv/bin/python registry_data/research/r-tpdec2/groups.py DIR [DIR_AFTER]
"""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl


def rows(run: Path) -> pl.DataFrame:
    return pl.read_parquet(next(run.glob("validation/*/validation.parquet"))).filter(
        pl.col("metric") == "tokens_per_s", pl.col("source_url").str.contains("perf-overview"),
        pl.col("framework") == "TensorRT-LLM", pl.col("error_pct").is_not_null())


def groups(table: pl.DataFrame, keys: list[str], name: str) -> pl.DataFrame:
    return table.group_by(keys).agg(pl.len().alias("rows"), pl.col("error_pct").median().round(2).alias(name)) \
        if keys else table.select(pl.len().alias("rows"), pl.col("error_pct").median().round(2).alias(name))


def main(runs: list[Path]) -> None:
    pl.Config.set_tbl_rows(60)
    for keys in ([], ["tp"], ["hardware", "tp"], ["compute_dtype"]):
        out = None
        for i, run in enumerate(runs):
            g = groups(rows(run), keys, f"median_signed_pct_{i}")
            out = g if out is None else out.join(g.drop("rows"), on=keys) if keys else pl.concat(
                [out, g.drop("rows")], how="horizontal")
        print(out.sort(keys) if keys else out)


if __name__ == "__main__":
    main([Path(a) for a in sys.argv[1:]])
