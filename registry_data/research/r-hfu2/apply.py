"""State how the Narayanan et al. 2021 training rows accumulated gradients (issue 12): the new
measurements column ``gradient_accumulation_fusion`` (the training study's
``training.gradient_accumulation_fusion``).

The rows ran Megatron-LM as released with the paper (arXiv 2104.04473; NVIDIA/Megatron-LM commit
50a4b5f, 2021-04-08, "Release fixes"): fp16, gradients accumulated by PyTorch's autograd in each
parameter's .grad (``--accumulate-allreduce-grads-in-fp32`` is a store_true flag, off by default),
i.e. one element-wise add per microbatch after the first. Fusing that add into the weight-gradient
GEMM came later (commit 83b1e42, 2022-02-13, with fp32 accumulation only; commit 07916bf,
2022-09-27, for fp16), so these rows state false. Every other row keeps a null (fused, the
default): Korthikanti et al. 2022 ran a 2022 Megatron-LM whose fusion depends on a flag the paper
does not state. Re-runnable.

    .venv/bin/python registry_data/research/r-hfu2/apply.py [registry_dir]
"""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl

from pipeline.catalogs.io import write_catalog
from pipeline.catalogs.paths import bundled_registry
from pipeline.catalogs.schemas import CATALOGS

COLUMN = "gradient_accumulation_fusion"
SOURCE = "arxiv.org/abs/2104.04473"  # Narayanan et al. 2021 (SC21)


def main(registry: Path) -> Path:
    old = pl.read_parquet(registry / "measurements.parquet")
    if COLUMN not in old.columns:
        old = old.with_columns(pl.lit(None, pl.Boolean).alias(COLUMN))
    narayanan = pl.col("source_url").fill_null("").str.contains(SOURCE, literal=True)
    out = old.with_columns(pl.when(narayanan).then(pl.lit(False)).otherwise(pl.col(COLUMN)).alias(COLUMN))
    stated = out.filter(pl.col(COLUMN).is_not_null())
    print(f"{COLUMN} stated on {stated.height} rows: " + ", ".join(
        f"{n} = {v}" for n, v in stated.select("name", COLUMN).iter_rows()), file=sys.stderr)
    schema = CATALOGS["measurements"].to_schema().columns
    return write_catalog(out.select(list(schema)), "measurements", registry)


if __name__ == "__main__":
    print(main(Path(sys.argv[1]) if len(sys.argv) > 1 else bundled_registry()))
