"""Write the measurements catalog's training rows (step_time_s, training_tokens_per_s, samples_per_s, mfu of training
scenarios) as a CSV for `mlsys validate --measured`, optionally with named rows' ``recompute`` set to "none" (the
what-if of README section 3). Diagnosis only.

    .venv/bin/python registry_data/research/r-mbfp8/training_rows.py OUT.csv [NAME ...]
"""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl

REGISTRY = Path(__file__).resolve().parents[2]
METRICS = ["step_time_s", "training_tokens_per_s", "samples_per_s", "mfu"]


def main(out: str, names: list[str]) -> None:
    m = pl.read_parquet(REGISTRY / "measurements.parquet").filter(pl.col("metric").is_in(METRICS),
                                                                   pl.col("scenario") == "training")
    if names:
        m = m.with_columns(recompute=pl.when(pl.col("name").is_in(names)).then(pl.lit("none"))
                           .otherwise(pl.col("recompute")))
    m.write_csv(out)
    print(m.height, "rows ->", out)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
