"""Which stated cell moves the v4.1 AMD MI300X Llama 2 70B Server rows: writes a measurements CSV of those rows
(tokens/s, TTFT p50, TPOT mean; 1x and 8x MI300X, and the Turin system's tokens/s) as the catalog has them, and with
batch, max_num_tokens or both unset, each variant's name suffixed ``--all`` / ``--no_batch`` / ``--no_tokens`` /
``--none``, and with the batch at 768 (the entry point's dataclass field, also the figure AMD's ROCm blog gives for
Server) as ``--batch768``. Then

    .venv/bin/python registry_data/research/r-amdv41/probe.py OUT.csv
    .venv/bin/python -m pipeline validate --measured OUT.csv --out DIR
"""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl

REGISTRY = Path(__file__).parent.parent.parent


def main(out: Path) -> None:
    base = pl.read_parquet(REGISTRY / "measurements.parquet").filter(
        pl.col("name").str.starts_with("mlperf-inf-v4.1-amd-") & (pl.col("scenario") == "server"))
    variants = {"all": base, "no_batch": base.with_columns(batch=None),
                "no_tokens": base.with_columns(max_num_tokens=None),
                "none": base.with_columns(batch=None, max_num_tokens=None),
                "batch768": base.with_columns(batch=pl.lit(768, pl.Int64))}
    frames = [v.with_columns(pl.col("name") + f"--{k}") for k, v in variants.items()]
    pl.concat(frames, how="vertical_relaxed").drop("last_verified").write_csv(out)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
