"""The kernel catalog's dense FP8 GEMM model (H100 SXM5 80GB, pipeline.walls.gemm at the catalog's fit) against
DeepGEMM's published dense FP8 GEMM rows on H800 SXM5, a kernel microbenchmark the fit does not read (the H800 is not
in the hardware catalog: r-kernels/gemm.csv rows with missing_in_catalog = yes). H800 SXM5 and H100 SXM5 share the
GH100 compute die (132 SMs, 1,979 TFLOP/s dense FP8, 3.35 TB/s HBM3); they differ in NVLink bandwidth, which a single
GEMM does not use. Run from the repository root:

    .venv/bin/python registry_data/research/r-w7cap/dense_fp8_check.py
"""

from __future__ import annotations

import polars as pl

from pipeline.catalogs.load import load_catalogs
from pipeline.catalogs.paths import bundled_registry
from pipeline.studies.operator import predict_operators

H100_FP8_PEAK = 1978.9e12  # hardware catalog, H100 SXM5 80GB peak_fp8_flop_per_s (dense)


def rows() -> pl.DataFrame:
    """DeepGEMM's normal (dense) FP8 GEMM rows on H800 SXM5 from r-kernels/gemm.csv, with the model's prediction for
    the same shape on H100 SXM5 80GB at fp8 and the error."""
    g = pl.read_csv(bundled_registry() / "research/r-kernels/gemm.csv", infer_schema_length=0)
    deep = g.filter((pl.col("library") == "DeepGEMM") & pl.col("vendor_hardware_name").str.contains("H800"))
    deep = deep.select(pl.col("M").cast(pl.Float64), pl.col("N").cast(pl.Float64), pl.col("K").cast(pl.Float64),
                       pl.col("achieved_tflops").cast(pl.Float64).alias("measured_tflops"),
                       pl.col("source_url")).unique(["M", "N", "K", "source_url"], maintain_order=True)
    requests = deep.select(pl.lit("gemm").alias("op"), pl.lit("H100 SXM5 80GB").alias("hardware"),
                           pl.lit("fp8").alias("dtype"), pl.col("M").alias("m"), pl.col("N").alias("n"),
                           pl.col("K").alias("k"))
    pred = predict_operators(requests, load_catalogs())
    return deep.with_columns(model_tflops=pred["achieved_flop_per_s"] / 1e12).with_columns(
        error_pct=(pl.col("model_tflops") / pl.col("measured_tflops") - 1.0) * 100.0,
        measured_fraction=pl.col("measured_tflops") * 1e12 / H100_FP8_PEAK)


if __name__ == "__main__":
    out = rows().sort("source_url", "M", "N", "K")
    with pl.Config(tbl_rows=100, tbl_width_chars=200, fmt_str_lengths=60):
        print(out.with_columns(pl.col("source_url").str.extract(r"blob/(\w+)/")))
    for m_low, m_high in ((0, 200), (200, 2000), (2000, 1e9)):
        band = out.filter((pl.col("M") >= m_low) & (pl.col("M") < m_high))
        print(f"M in [{m_low}, {m_high}): {band.height} rows, median error {band['error_pct'].median():+.1f} %")
