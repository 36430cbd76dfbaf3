"""The node study's BERT-Large fp8 training step per GPU (96 samples of 254 tokens, one device), term by term, beside
the measured step of the one-node rows (8 GPUs or fewer: devices x per-GPU batch / samples_per_s, median).

Run on a tree with fp8_terms.patch applied and relabel.py run (README "Reproduce"):

    .venv/bin/python -m pipeline validate --out /tmp/v
    .venv/bin/python registry_data/research/r-bertfp8/step_terms.py /tmp/v/validation/<run>/validation.parquet
"""

from __future__ import annotations

import sys

import polars as pl

import pipeline

BATCH, TOKENS = 96, 254


def main(path: str) -> None:
    rows = (pl.read_parquet(path)
            .filter(pl.col("metric") == "samples_per_s", pl.col("model") == "BERT-Large",
                    pl.col("scenario") == "training", pl.col("devices") <= 8, pl.col("compute_dtype") == "fp8",
                    pl.col("batch") == BATCH * pl.col("devices"))
            .with_columns(step_ms=pl.col("batch") / pl.col("measured") * 1e3)
            .group_by("hardware").agg(pl.len().alias("rows"), pl.col("step_ms").median()))
    print("| accelerator | rows | measured ms | predicted ms | compute | memory (overlapped) | element-wise + casts "
          "| casts | optimizer (1 device) | launches |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in rows.sort("hardware").iter_rows(named=True):
        o = pipeline.evaluate("BERT-Large", r["hardware"], batch=BATCH, seq_len=TOKENS, workload="training",
                              compute_dtype="fp8").row(0, named=True)
        bandwidth = o["memory_bandwidth_bytes_per_s"]
        passes = o["elementwise_traffic_bytes"] / bandwidth * 1e3
        bf16 = pipeline.evaluate("BERT-Large", r["hardware"], batch=BATCH, seq_len=TOKENS, workload="training",
                                 compute_dtype="bf16").row(0, named=True)
        casts = (o["elementwise_traffic_bytes"] - bf16["elementwise_traffic_bytes"]) / bandwidth * 1e3  # 16-bit both
        optimizer = o["optimizer_traffic_bytes"] / bandwidth * 1e3
        print(f"| {r['hardware']} | {r['rows']} | {r['step_ms']:.1f} | {o['latency_s'] * 1e3:.1f} | "
              f"{o['compute_time_s'] * 1e3:.1f} | {o['memory_time_s'] * 1e3:.1f} | {passes:.1f} | {casts:.1f} | "
              f"{optimizer:.1f} | {o['launch_overhead_s'] * 1e3:.1f} |")


if __name__ == "__main__":
    main(sys.argv[1])
