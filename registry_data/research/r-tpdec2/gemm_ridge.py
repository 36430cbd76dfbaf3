"""The single-GEMM rows of r-kernels/gemm.csv (H100/H800/H200, NVIDIA A100; every shaped sweep row gemm_fit reads)
predicted as a serving operator prices one GEMM (``pipeline.studies.operator.predict_operators``: max(2MNK / (peak x
η_shape), α + bytes / (bandwidth x eta_memory)), framework TensorRT-LLM), against the measured time, by M and by where
the shape sits against the ridge (compute term / memory term). Run from the repository root:

    .venv/bin/python registry_data/research/r-tpdec2/gemm_ridge.py
"""

from __future__ import annotations

import polars as pl

from pipeline.catalogs.load import load_catalogs
from pipeline.studies.operator import predict_operators
from pipeline.validation.gemm_fit import kernel_rows

PRECISION_AS_DTYPE = {"bf16": "bf16", "fp16": "fp16", "fp8": "fp8", "int8": "int8"}


def rows() -> pl.DataFrame:
    g = kernel_rows().filter(pl.col("M").is_not_null(), ~pl.col("dtype").str.contains("incl. quant"),
                             pl.col("precision").is_in(list(PRECISION_AS_DTYPE)))
    return g.select("hardware", "precision", "M", "N", "K", "achieved_flop_per_s", "library", "measurement_kind", "source",
                    "peak_flop_per_s", "memory_bandwidth_bytes_per_s")


def main() -> None:
    g = rows()
    catalogs = load_catalogs()
    req = g.select(op=pl.lit("gemm"), hardware="hardware", dtype=pl.col("precision"), m="M", n="N", k="K")
    pred = predict_operators(req, catalogs, framework="TensorRT-LLM")
    out = pl.concat([g, pred.select("time_s", "bound", "eta_compute", "eta_memory")], how="horizontal").filter(
        pl.col("time_s").is_not_null())
    size = pl.col("precision").replace_strict({"bf16": 2.0, "fp16": 2.0, "fp8": 1.0, "int8": 1.0})
    out = out.with_columns(
        measured_s=2 * pl.col("M") * pl.col("N") * pl.col("K") / pl.col("achieved_flop_per_s"),
        compute_s=2 * pl.col("M") * pl.col("N") * pl.col("K") / (pl.col("peak_flop_per_s") * pl.col("eta_compute")),
        memory_s=(pl.col("M") * pl.col("K") + pl.col("K") * pl.col("N")) * size / (
            pl.col("memory_bandwidth_bytes_per_s") * pl.col("eta_memory")),
    ).with_columns(error_pct=(pl.col("measured_s") / pl.col("time_s") - 1.0) * 100.0,  # +: predicted too fast
                   balance=pl.col("compute_s") / pl.col("memory_s"))
    pl.Config.set_tbl_rows(200)
    pl.Config.set_tbl_width_chars(200)
    print(out.select("hardware", "precision", "library", "measurement_kind", "M", "N", "K",
                     (pl.col("measured_s") * 1e6).round(1).alias("meas_us"),
                     (pl.col("time_s") * 1e6).round(1).alias("pred_us"), pl.col("balance").round(2),
                     pl.col("error_pct").round(1), "bound").sort("hardware", "precision", "M", "N"))
    # positive error_pct: the model's time is shorter than measured (too fast), as the validation's sign
    print(out.with_columns(balance_bin=pl.col("balance").cut([0.25, 0.5, 0.8, 1.25, 2.0, 4.0]))
          .group_by("balance_bin").agg(n=pl.len(), median_error_pct=pl.col("error_pct").median(),
                                       mean_error_pct=pl.col("error_pct").mean()).sort("balance_bin"))
    print(out.with_columns(m_bin=pl.col("M").cut([16, 64, 128, 256, 512, 1024]))
          .group_by("m_bin").agg(n=pl.len(), median_error_pct=pl.col("error_pct").median()).sort("m_bin"))


if __name__ == "__main__":
    main()
