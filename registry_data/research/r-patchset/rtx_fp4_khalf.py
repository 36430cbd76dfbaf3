"""What-if K (README.md section 4): on a registry copy, RTX PRO 6000 Server's fp4 ``k_half`` in kernel_efficiency set so
that the GEMM form (``walls.gemm.gemm_efficiency``: ceiling x waves x K / (K + k_half)) reproduces the card's own FP4
kernel row at ceiling 1: 1,629 TF of 2,000 at M = N = K = 8192 (NVIDIA/cutlass PR #3272, r-rtxfp4 README), waves
4096 tiles / 188 SMs = 21.8 of 22. The fit gives 3.364 x the ridge (4,212), at which the form reaches only 0.654 at
that shape. Not applied (it moves Llama 2 70B's Offline from -0.5 to +11 %); only on a copy.

    PYTHONPATH=. .venv/bin/python registry_data/research/r-patchset/rtx_fp4_khalf.py REGISTRY_COPY
"""

from __future__ import annotations

import sys

import polars as pl

from pipeline.catalogs.io import read_catalog, write_catalog

CARD = (pl.col("hardware") == "RTX PRO 6000 Blackwell Server Edition") & (pl.col("precision") == "fp4")
MEASURED, K, WAVES = 1629.0 / 2000.0, 8192.0, (4096 / 188) / 22


def k_half() -> float:
    """K (1 / f - 1) with f the measured fraction over the wave efficiency: 1,768 tokens."""
    return K * (1.0 / (MEASURED / WAVES) - 1.0)


def main(registry: str) -> None:
    frame = read_catalog("kernel_efficiency", registry)
    out = frame.with_columns(k_half=pl.when(CARD).then(pl.lit(k_half())).otherwise(pl.col("k_half")))
    print(k_half(), write_catalog(out, "kernel_efficiency", registry))


if __name__ == "__main__":
    main(sys.argv[1])
