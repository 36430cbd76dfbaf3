"""H100 PCIe square sweep, a kernel microbenchmark no fit reads, against the catalog's GEMM model (helper gemmk2).

Source: zzc0721/torch-performance-test-data issue #95 (2025-12-14, "NVIDIA H100 PCIe", torch 2.9.0+cu128, physical
machine), "详细性能数据" block: torch.matmul TFLOPS at N x N x N (gemm.csv holds only the row's maxima, no shape). The
H100 PCIe is the one Hopper part whose ridge (756 TFLOPS / 2.0 TB/s = 378 FLOP/B) and SM count (114) differ from the
H100 SXM5's, so it tells the two K-loop forms apart: ridge k_half 1,272 (bf16) vs the per-architecture 168.
Run on main's catalog, then after apply_hopper_k_loop.py:

    .venv/bin/python registry_data/research/r-gemmk2/pcie_check.py
"""

from __future__ import annotations

import polars as pl

from pipeline.catalogs.load import load_catalogs
from pipeline.studies.operator import predict_operators

SOURCE = "https://github.com/zzc0721/torch-performance-test-data/issues/95"
MEASURED = {  # dtype -> {N: TFLOPS}, as printed in the issue
    "bf16": {1024: 217.70, 2048: 449.09, 4096: 495.93, 8192: 492.84, 10240: 471.79},
    "fp16": {1024: 201.71, 2048: 458.03, 4096: 457.32, 8192: 437.07, 10240: 449.65},
}


def rows() -> pl.DataFrame:
    m = pl.DataFrame([{"dtype": d, "n": float(n), "measured_tflops": v} for d, s in MEASURED.items()
                      for n, v in s.items()])
    req = m.select(pl.lit("gemm").alias("op"), pl.lit("H100 PCIe 80GB").alias("hardware"), "dtype",
                   pl.col("n").alias("m"), "n", pl.col("n").alias("k"))
    pred = predict_operators(req, load_catalogs())
    return m.with_columns(model_tflops=pred["achieved_flop_per_s"] / 1e12,
                          measured_us=2.0 * pl.col("n") ** 3 / (pl.col("measured_tflops") * 1e6)).with_columns(
        error_pct=(pl.col("model_tflops") / pl.col("measured_tflops") - 1.0) * 100.0)


if __name__ == "__main__":
    out = rows()
    with pl.Config(tbl_rows=20):
        print(out)
    print(f"median |error| (TFLOPS), N >= 2048: {out.filter(pl.col('n') >= 2048)['error_pct'].abs().median():.1f} %")
