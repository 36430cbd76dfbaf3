"""The predicted TPOT of r-infx's DeepSeek-R1 rows split into the decode step and the closed loop's stall pricing
(parts.py's output), and the decode step split term by term at batch 4-64 (terms.py's output), beside each term's
reference figure from a kernel microbenchmark or primary source (README.md of this folder).

    .venv/bin/python registry_data/research/r-h2itl/decompose.py /tmp/h2itl/parts.parquet /tmp/h2itl/terms.parquet

TPOT = d / (1 - rho) + clustering (``tail_latency.tpot_at_mean_batch_s``, closed loop): d = the decode step at the
loop's batch (``decode_pass_time_s`` there), rho the prefill utilization; the stall is d rho / (1 - rho).
"""

from __future__ import annotations

import sys

import polars as pl

H200_STREAM_TBPS = 4.15  # Azure ND H200 v5 "HBM Bandwidth", median of Copy/Mul/Add/Triad/Dot (h200_bandwidth.csv)
MS = 1e3


def rows_table(parts: pl.DataFrame) -> pl.DataFrame:
    f = parts.filter(pl.col("metric") == "itl_s")
    d = (pl.col("predicted") - pl.col("tpot_clustering_s")) * (1.0 - pl.col("prefill_utilization"))
    return f.select(
        "framework", "hardware", pl.format("{}/{}", "prompt_len", "output_len").alias("isl_osl"), "concurrency",
        (pl.col("measured") * MS).round(1).alias("measured_ms"), (pl.col("predicted") * MS).round(1).alias("pred_ms"),
        pl.col("error_pct").round(1), pl.col("load_batch").round(1),
        pl.col("prefill_utilization").round(3).alias("rho"),
        (d * MS).round(1).alias("step_d_ms"),
        (d * pl.col("prefill_utilization") / (1.0 - pl.col("prefill_utilization")) * MS).round(2).alias("stall_ms"),
        (pl.col("tpot_clustering_s") * MS).round(2).alias("cluster_ms"),
        (100.0 * (d / pl.col("measured") - 1.0)).round(1).alias("step_alone_err_pct"),
    ).sort("framework", "hardware", "isl_osl", "concurrency")


def terms_table(terms: pl.DataFrame) -> pl.DataFrame:
    n = pl.col("n_layers")
    moe_layers = n - 3.0  # DeepSeek-R1: 3 dense layers (models catalog n_dense_layers)
    stream = pl.col("decode_mlp_gemm_bytes") * n / (H200_STREAM_TBPS * 1e12)
    return terms.select(
        "hardware", "batch", (pl.col("itl_s") * MS).round(2).alias("step_ms"),
        (n * pl.col("decode_mlp_gemm_time_s") * MS).round(2).alias("moe_gemm_ms"),
        (pl.col("decode_moe_routing_time_s") * MS).round(2).alias("routing_ms"),
        ((pl.col("decode_moe_routing_time_s") / moe_layers) * 1e6).round(1).alias("routing_us_per_layer"),
        (n * pl.col("decode_attention_time_s") * MS).round(2).alias("mla_kernel_ms"),
        (n * pl.col("decode_projections_time_s") * MS).round(2).alias("projections_ms"),
        (pl.col("decode_other_class_time_s") * MS).round(2).alias("norms_head_ms"),
        (pl.col("decode_communication_time_s") * MS).round(2).alias("comm_ms"),
        (pl.col("decode_mlp_group_gemms")).round(1).alias("experts_run"),
        pl.col("decode_mlp_up_gemm_m").round(2).alias("rows_per_expert"),
        (pl.col("decode_mlp_gemm_bytes") / pl.col("decode_mlp_gemm_time_s") / pl.col("memory_bandwidth_bytes_per_s"))
        .round(3).alias("moe_frac_of_peak"),
        (stream * MS).round(2).alias("moe_stream_h200_ms"),
        (pl.col("decode_attention_kv_bytes") / pl.col("decode_attention_time_s") /
         pl.col("memory_bandwidth_bytes_per_s")).round(3).alias("mla_frac_of_peak"),
        (pl.col("decode_communication_time_s") / (2.0 * n) * 1e6).round(1).alias("allreduce_us"),
    ).sort("hardware", "batch")


def main(parts_path: str, terms_path: str) -> None:
    pl.Config.set_tbl_rows(100)
    pl.Config.set_tbl_cols(30)
    pl.Config.set_tbl_width_chars(260)
    pl.Config.set_tbl_formatting("MARKDOWN")
    pl.Config.set_tbl_hide_column_data_types(True)
    pl.Config.set_tbl_hide_dataframe_shape(True)
    print(rows_table(pl.read_parquet(parts_path)))
    print(terms_table(pl.read_parquet(terms_path)))


if __name__ == "__main__":
    main(*sys.argv[1:3])
