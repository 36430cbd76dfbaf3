"""Which stated cell loses the MI300X Llama 2 70B Server rows: writes a measurements CSV of the AMD and Dell MI300X
Server rows (tokens/s, TTFT p50, TPOT mean) as the catalog has them, and with batch, max_num_tokens, tp or all three
unset, each variant's name suffixed ``--all`` / ``--no_batch`` / ``--no_tokens`` / ``--no_tp`` / ``--none``. Run on a
tree where the held cells are replayed (mi300x_server_batch.patch, then apply.py on the base catalog), then

    .venv/bin/python registry_data/research/r-amdcfg/probe_mi300x.py OUT.csv
    .venv/bin/python -m pipeline validate --measured OUT.csv --out DIR
"""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl

REGISTRY = Path(__file__).parent.parent.parent
ROWS = "xe9680-mi300x-192gbx8-llama2-70b-99-server|amd-8xmi300x-2xepyc-9575f-llama2-70b-99-server"


def main(out: Path) -> None:
    base = pl.read_parquet(REGISTRY / "measurements.parquet").filter(pl.col("name").str.contains(ROWS))
    variants = {"all": base, "no_batch": base.with_columns(batch=None),
                "no_tokens": base.with_columns(max_num_tokens=None), "no_tp": base.with_columns(tp=None),
                "none": base.with_columns(batch=None, max_num_tokens=None, tp=None)}
    frames = [v.with_columns(pl.col("name") + f"--{k}") for k, v in variants.items()]
    pl.concat(frames, how="vertical_relaxed").drop("last_verified").write_csv(out)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
