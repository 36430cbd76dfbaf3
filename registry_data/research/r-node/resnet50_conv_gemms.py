"""ResNet-50 v1.5 convolutions as implicit GEMMs, priced by the GEMM kernel fit (analysis only, issue 12).

Question: would pricing a CNN per layer through the kernel fit (pipeline.walls.gemm, the catalog's
kernel_efficiency rows) fix the node study's ResNet-50 int8 rows? Each conv is a GEMM with
M = batch x P x Q (output pixels), N = output channels, K = C x R x S (cuDNN's implicit-GEMM
formulation, Chetlur et al. 2014, arXiv:1410.0759 §3). Layer shapes: He et al. 2016
(arXiv:1512.03385) Table 1, v1.5 (stride on the 3x3, as MLPerf's ResNet-50 runs it); projection
shortcuts in the first block of each stage; the 1000-way FC.

The shapes sum to 8.178 GFLOP per image, the models catalog's forward_flop_per_sample (a check).
Run: .venv/bin/python registry_data/research/r-node/resnet50_conv_gemms.py
Prints the FLOP-weighted eta of the whole network per (hardware, batch) from the int8 kernel-fit rows.
"""

from __future__ import annotations

import math
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parents[3]


def layers() -> list[tuple[int, int, int]]:
    """(P*Q, N, K) per conv/FC layer of ResNet-50 v1.5 at 224x224."""
    out = [(112 * 112, 64, 3 * 7 * 7)]                               # conv1 7x7/2
    stages = [(56, 64, 256, 3, 64), (28, 128, 512, 4, 256), (14, 256, 1024, 6, 512), (7, 512, 2048, 3, 1024)]
    for i, (hw, mid, width, blocks, c_in) in enumerate(stages):
        for b in range(blocks):
            c = c_in if b == 0 else width
            h_in = 2 * hw if (b == 0 and i > 0) else hw            # v1.5: the 1x1 reduce runs before the stride
            out += [(h_in * h_in, mid, c), (hw * hw, mid, 9 * mid), (hw * hw, width, mid)]
            if b == 0:
                out.append((hw * hw, width, c))                       # projection shortcut
    out.append((1, 1000, 2048))                                       # FC
    return out


def efficiency(m, n, k, units, tile_m, tile_n, ceiling, k_half) -> float:
    """pipeline.walls.gemm.gemm_efficiency, in plain floats."""
    m = max(m, 1.0)
    tm = min(64.0 if m <= 64 else 128.0, tile_m) if m <= 128 else tile_m
    tiles = math.ceil(m / tm) * math.ceil(n / tile_n)
    split = min(max(math.floor(units / tiles), 1), max(math.ceil(k / 256), 1))
    wave = tiles * split / (math.ceil(tiles * split / units) * units)
    return ceiling * wave * (m * n / (tiles * tm * tile_n)) * (k / split) / (k / split + k_half)


def main() -> None:
    flop = sum(2 * pq * n * k for pq, n, k in layers())
    print(f"ResNet-50 v1.5: {len(layers())} GEMMs, {flop / 1e9:.4f} GFLOP per image")
    fits = pl.read_parquet(ROOT / "registry_data/kernel_efficiency.parquet").filter(
        pl.col("precision") == "int8", pl.col("efficiency_basis") == "kernel fit")
    for r in fits.iter_rows(named=True):
        for batch in (1, 64, 2048):
            time_at_peak = sum(2 * batch * pq * n * k / efficiency(batch * pq, n, k, r["units"], r["tile_m"],
                                                                  r["tile_n"], r["ceiling"], r["k_half"])
                               for pq, n, k in layers())
            print(f"{r['hardware']:>16}  batch {batch:>5}: network eta {batch * flop / time_at_peak:.3f}")


if __name__ == "__main__":
    main()
