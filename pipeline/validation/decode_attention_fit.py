"""The fixed time of one decode-attention call, for the kernel_efficiency catalog's
``attention_latency_s`` (issue 12), fitted to decode-attention kernel microbenchmarks only.

A decode-attention call (one query per sequence reading its K/V cache) does not run at its bytes /
(bandwidth x eta_memory) plus a GEMM's fixed time: a paged decode kernel launches one CTA per
(sequence, KV head, split) whose work is a few dependent steps (load Q, walk the page table, load a
K block, QK^T, softmax, load V, PV, then the split-KV combine and the store of O), each a DRAM
round trip that a short KV cache cannot overlap, so the call has a floor of its own: Hockney's α of
t = α + bytes / β (Hockney 1994, Parallel Computing 20(3)), β the kernel study's memory side
(bandwidth x eta_memory, unchanged). CUDA graphs remove the launch gap between kernels, not a
kernel's own duration: the FlashAttention-3 rows below are CUDA-graph timings and show the same floor.

Rows: registry_data/research/r-dattn/rows.csv (onnxruntime PR 21414: FlashAttention-2 paged decode,
nvbench, H100 SXM and A100 SXM4; flash-attention issue 1572: FlashAttention-3 paged decode, CUDA graph,
H100). Per (source, hardware) sweep, α is the intercept of the least-squares line measured = α + k x
stream, stream the kernel study's time at α = 0 (k takes up a kernel's own bandwidth); per architecture
family the median over the fitted source's sweeps. The catalog value is fitted on the onnxruntime source alone and scored
on the other (``leave_one_source_out``): the FA3 thread reports its kernel's bandwidth as a since-fixed
problem (57 % of peak at 0.5-1 GB), so its long rows measure a slow stream, not a floor.

Every accelerator of a fitted family (hardware catalog ``family``) takes the family's value; others
have none (null: the attention call keeps the GEMM fit's ``memory_latency_s``, as before).
``python -m pipeline.validation.gemm_fit`` writes these columns with the rest of kernel_efficiency.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import polars as pl

from pipeline.catalogs.load import load_catalogs
from pipeline.catalogs.paths import bundled_registry
from pipeline.studies.operator import predict_operators
from pipeline.validation.latency_fit import line_fit

ROWS = "research/r-dattn/rows.csv"
CATALOG_SOURCE = "github.com/microsoft/onnxruntime/pull/21414"  # the source the catalog value is fitted on


def _source(url: str) -> str:
    return "/".join(url.split("/")[2:7])


def decode_rows(registry: Path | None = None, catalogs=None) -> pl.DataFrame:
    """r-dattn's rows with ``measured_s``, ``stream_s`` (the kernel study's time with no fixed time),
    ``latency_s`` = measured - stream, ``family`` and ``source``."""
    reg = registry or bundled_registry()
    rows = pl.read_csv(reg / ROWS)
    cats = catalogs or load_catalogs(registry)
    free = replace(cats, kernel_efficiency=cats.kernel_efficiency.with_columns(
        memory_latency_s=pl.lit(0.0), attention_latency_s=pl.lit(None, pl.Float64)))
    shape = {"batch": "batch", "heads": "heads", "kv_heads": "kv_heads", "head_dim": "head_dim",
             "q_len": "seq_len", "kv_len": "kv_len"}
    requests = rows.select(pl.col("kernel_op").alias("op"), "hardware", pl.col("compute_dtype").alias("dtype"),
                           *(pl.col(b).cast(pl.Float64).alias(a) for a, b in shape.items()), "causal")
    stream = predict_operators(requests, free)["time_s"]
    scale = pl.col("unit").replace_strict({"us": 1e-6, "ms": 1e-3, "s": 1.0})
    family = cats.hardware.select(pl.col("name").alias("hardware"), "family")
    return rows.with_columns(measured_s=pl.col("value") * scale, stream_s=stream,
                             source=pl.col("source_url").map_elements(_source, return_dtype=pl.String)) \
        .with_columns(latency_s=pl.col("measured_s") - pl.col("stream_s")).join(family, on="hardware", how="left")


def family_latencies(rows: pl.DataFrame) -> pl.DataFrame:
    """Per family: ``attention_latency_s``, the median over (source, hardware) sweeps of the intercept α of
    the least-squares line measured = α + k x stream (k absorbs a kernel's own bandwidth, which the catalog's
    β does not claim to know: the FA3 thread's slow stream moves k, not α), its row count and sources."""
    _, intercept = line_fit(pl.col("stream_s"), pl.col("measured_s"))
    sweeps = rows.group_by("source", "source_url", "hardware", "family").agg(intercept=intercept, n=pl.len())
    return sweeps.group_by("family").agg(
        attention_latency_s=pl.col("intercept").median().clip(lower_bound=0.0),
        attention_latency_rows=pl.col("n").sum().cast(pl.Float64),
        attention_latency_source=pl.format("median intercept of {} sweeps ({} rows; {}) of r-dattn/rows.csv: {}",
                                           pl.len(), pl.col("n").sum(), pl.col("hardware").unique().sort()
                                           .str.join(", "), pl.col("source_url").unique().sort().str.join(" ")))


def leave_one_source_out(rows: pl.DataFrame) -> pl.DataFrame:
    """Each source's rows predicted as stream + the other sources' family α: ``predicted_s``, ``error``."""
    out = []
    for source in rows["source"].unique().sort():
        fitted = family_latencies(rows.filter(pl.col("source") != source)).select("family", "attention_latency_s")
        held = rows.filter(pl.col("source") == source).join(fitted, on="family")
        out.append(held.with_columns(predicted_s=pl.col("stream_s") + pl.col("attention_latency_s")))
    return pl.concat(out).with_columns(error=pl.col("predicted_s") / pl.col("measured_s") - 1.0)


def attention_latencies(registry: Path | None = None, catalogs=None) -> pl.DataFrame:
    """Per catalog hardware of a family fitted on ``CATALOG_SOURCE``: the catalog's three columns."""
    reg = registry or bundled_registry()
    rows = decode_rows(reg, catalogs)
    fitted = family_latencies(rows.filter(pl.col("source") == CATALOG_SOURCE))
    held = rows.filter(pl.col("source") != CATALOG_SOURCE).join(fitted.select("family", "attention_latency_s"),
                                                                on="family")
    error = (held["stream_s"] + held["attention_latency_s"]) / held["measured_s"] - 1.0
    fitted = fitted.with_columns(pl.format("{}; held out: {} rows of {}, median |error| {} %",
                                           "attention_latency_source", pl.lit(held.height),
                                           pl.lit(", ".join(held["source"].unique().sort())),
                                           pl.lit(round(100 * float(error.abs().median()), 1)))
                                 .alias("attention_latency_source"))
    family = pl.read_parquet(reg / "hardware.parquet").select(pl.col("name").alias("hardware"), "family")
    return family.join(fitted, on="family").drop("family")


if __name__ == "__main__":
    r = decode_rows()
    pl.Config.set_tbl_width_chars(200)
    print(r.select("name", "family", measured_us=pl.col("measured_s") * 1e6, stream_us=pl.col("stream_s") * 1e6,
                   latency_us=pl.col("latency_s") * 1e6))
    print(family_latencies(r.filter(pl.col("source") == CATALOG_SOURCE)).select("family", "attention_latency_s"))
    h = leave_one_source_out(r)
    print(h.select("name", "source", predicted_us=pl.col("predicted_s") * 1e6, error=pl.col("error")))
    print(h.group_by("source").agg(pl.col("error").abs().median()))
