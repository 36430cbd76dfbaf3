"""Kernel measurement rows (issue 12 item 6) predicted by the kernel study
(``pipeline.studies.operator``): one GEMM, attention call or collective per row, at the
catalogs' η (no calibration: the kernel rows have no η grid)."""

from __future__ import annotations

import polars as pl

from pipeline.catalogs.load import Catalogs
from pipeline.studies.operator import predict_operators

# metric -> (the kernel ops it measures, the kernel study's column that predicts it)
KERNEL_METRICS = {
    "gemm_time_s": (("gemm",), "time_s"), "gemm_flop_per_s": (("gemm",), "achieved_flop_per_s"),
    "attention_time_s": (("attention",), "time_s"), "attention_flop_per_s": (("attention",), "achieved_flop_per_s"),
    "collective_time_s": (("all_reduce", "all_gather", "reduce_scatter", "all_to_all"), "time_s"),
    "collective_busbw_bytes_per_s": (("all_reduce", "all_gather", "reduce_scatter", "all_to_all"),
                                     "busbw_bytes_per_s"),
}


def _requests(rows: pl.DataFrame) -> pl.DataFrame:
    """The kernel study's inputs from the measurement columns (attention: seq_len is the query
    length, kv_len defaults to it)."""
    return rows.select(
        pl.col("kernel_op").alias("op"), "hardware", "cluster", pl.col("compute_dtype").alias("dtype"),
        *(pl.col(a).cast(pl.Float64).alias(b) for a, b in (("gemm_m", "m"), ("gemm_n", "n"), ("gemm_k", "k"),
                                                             ("batch", "batch"), ("heads", "heads"),
                                                             ("kv_heads", "kv_heads"), ("head_dim", "head_dim"),
                                                             ("seq_len", "q_len"), ("message_bytes", "message_bytes"),
                                                             ("ranks", "ranks"))),
        pl.coalesce("kv_len", "seq_len").cast(pl.Float64).alias("kv_len"), "causal")


def predict_kernel_rows(rows: pl.DataFrame, catalogs: Catalogs) -> pl.DataFrame:
    """Per kernel row (``study`` = "kernel"; ``measurement`` its index): the predicted value of its
    metric, the bound, the η the GEMM or attention used, the hardware family and, where it
    cannot be predicted, the reason. One vectorized prediction per framework named."""
    kernel = rows.filter(pl.col("study") == "kernel")
    schema = {"measurement": pl.UInt32, "predicted": pl.Float64, "eta_compute": pl.Float64, "bound": pl.String,
              "reason": pl.String, "family": pl.String}
    if kernel.height == 0:
        return pl.DataFrame(schema=schema)
    parts = []
    for framework in kernel["framework"].unique().sort():
        part = kernel.filter(pl.col("framework") == framework)
        out = predict_operators(_requests(part), catalogs, framework)
        parts.append(pl.concat([part.select("measurement", "metric"), out], how="horizontal"))
    out = pl.concat(parts)
    ops = pl.col("metric").replace_strict({m: list(o) for m, (o, _) in KERNEL_METRICS.items()},
                                          return_dtype=pl.List(pl.String))
    value = pl.col("metric").replace_strict({m: c for m, (_, c) in KERNEL_METRICS.items()})
    mismatch = pl.when(pl.col("op").is_not_null() & ~ops.list.contains(pl.col("op"))).then(
        pl.format("metric {} does not measure a {} call", "metric", "op"))
    picked = pl.coalesce(*(pl.when(value == c).then(pl.col(c)) for c in {c for _, c in KERNEL_METRICS.values()}))
    family = catalogs.hardware.select(pl.col("name").alias("hardware"), "family")
    no_op = pl.when(pl.col("op").is_null()).then(pl.lit("kernel rows need kernel_op"))
    out = out.with_columns(reason=pl.coalesce(no_op, mismatch, "reason")) \
        .with_columns(predicted=pl.when(pl.col("reason").is_null()).then(picked)) \
        .join(family, on="hardware", how="left")
    return out.select(pl.col(c).cast(t) for c, t in schema.items())
