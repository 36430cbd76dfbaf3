"""Diagnosis only (nothing here feeds a catalog): MLPerf BERT-Large training, per GPU, at 96 samples of 254 tokens.

Prints, per accelerator, the measured step (median over the validation rows: 96 x devices / samples_per_s) beside
the node study's predicted step with bf16 GEMMs (as the measurements catalog labels the rows) and with fp8 GEMMs (as
NVIDIA's implementation runs them: README §2), each with and without the 16-bit element-wise passes of
transformer_elementwise.patch (86,016 B per token per layer: README §1), added in series.

    .venv/bin/python -m pipeline validate --out /tmp/v
    .venv/bin/python registry_data/research/r-nodeacc/bert_steps.py /tmp/v/validation/<run>/validation.parquet
"""

from __future__ import annotations

import sys

import polars as pl

import pipeline

BYTES_PER_TOKEN_LAYER = 86_016  # README §1: forward 38,912 + backward 47,104 B (h 1,024, f 4,096, dropout)
LAYERS, TOKENS, BATCH = 24, 254, 96


def main(path: str) -> None:
    rows = pl.read_parquet(path).filter(pl.col("metric") == "samples_per_s", pl.col("model") == "BERT-Large",
                                        pl.col("scenario") == "training", pl.col("devices") <= 64)
    measured = (rows.with_columns(step_ms=BATCH * pl.col("devices") / pl.col("measured") * 1e3)
                .group_by("hardware").agg(pl.len().alias("rows"), pl.col("step_ms").median()))
    print("| accelerator | rows | measured ms | bf16 | bf16 + passes | fp8 | fp8 + passes | passes ms |")
    print("|---|---|---|---|---|---|---|---|")
    for r in measured.sort("hardware").iter_rows(named=True):
        steps = {}
        for dtype in ("bf16", "fp8"):
            out = pipeline.evaluate("BERT-Large", r["hardware"], batch=BATCH, seq_len=TOKENS, workload="training",
                                    compute_dtype=dtype).row(0, named=True)
            steps[dtype] = out["latency_s"] * 1e3
            bandwidth = out["memory_bandwidth_bytes_per_s"]
        passes = BYTES_PER_TOKEN_LAYER * LAYERS * TOKENS * BATCH / bandwidth * 1e3
        print(f"| {r['hardware']} | {r['rows']} | {r['step_ms']:.1f} | {steps['bf16']:.1f} | "
              f"{steps['bf16'] + passes:.1f} | {steps['fp8']:.1f} | {steps['fp8'] + passes:.1f} | {passes:.1f} |")


if __name__ == "__main__":
    main(sys.argv[1])
