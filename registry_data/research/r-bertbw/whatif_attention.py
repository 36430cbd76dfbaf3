"""What-if (diagnosis; nothing here feeds the model): the MLPerf Training BERT rows with the attention core priced at
the kernel the runs call, measured on that kernel's own microbenchmark, instead of the kernel_efficiency catalog's
attention fit (B200: FA4; H100/H200: FlashAttention-3; GB200: no fit, the profile eta).

What the runs call (training_results_v5.0 0fdc28f, NVIDIA/benchmarks/bert/implementations/nyx_n1_ngc25.04_pytorch):
config_DGXB200_1x8x48x1_pack.sh line 20 `export USE_FLASH_ATTENTION=1`; te_layers.py line 62 reads it, lines 35-37
import flash_attn.flash_attn_interface._flash_attn_varlen_forward / _backward (the flash-attn 2 package), line 192
calls it on fp16 Q, K, V with attention dropout. Hopper configs leave it unset: TE's FP8 fused attention
(FusedAttnBackend["FP8"], te_layers.py lines 138-144).

Kernel rates (registry_data/research/r-kernels/attention.csv): FlashAttention-2 (flash_attn 2.7.4.post1) on B200,
head_dim 64, seq 512, non-causal: fwd 308.4, bwd 243.05 TFLOP/s (github.com/Dao-AILab/flash-attention/issues/1589);
FlashAttention convention: fwd FLOPs 4 s^2 d h b, bwd 2.5 x fwd (the recomputed S). The rows' packed sequences average
254 tokens (predict.dataset_length), carried from s = 512 by the catalog fit's own length law L / (L + s_half)
(s_half 304.44, kernel_efficiency.parquet). GB200 takes B200's rates (same die; no GB200 benchmark found).

    .venv/bin/python registry_data/research/r-bertbw/whatif_attention.py VALIDATION.parquet [--hopper]
"""

from __future__ import annotations

import math
import sys

import polars as pl

TOKENS, HIDDEN, HEADS, HEAD_DIM, LAYERS = 254.0, 1024.0, 16.0, 64.0, 24.0  # BERT-Large; 254 = dataset_length
S_HALF, D_HALF = 304.437021, 32.0  # kernel_efficiency.parquet attention_s_half / attention_d_half
FIT = {"B200 (HGX B200)": (0.875513, 148.0), "H100 SXM5 80GB": (0.831295, 132.0),  # attention_ceiling, units
       "H200 SXM 141GB": (0.831295, 132.0)}
PEAK = {"B200 (HGX B200)": 2.25e15, "GB200 NVL72 GPU": 2.5e15}  # bf16 dense, the hardware catalog
FA2_B200 = (308.4e12, 243.05e12)  # fwd, bwd TFLOP/s at s = 512, d = 64 (Dao-AILab/flash-attention#1589)
# Hopper (the same method, for fairness): TE's FP8 fused attention is cuDNN's; arXiv 2407.08608 (FlashAttention-3)
# measures cuDNN on H100 SXM5 at d = 64, s = 512: fwd FP8 344, bwd (bf16; no FP8 bwd figure) 266 TFLOP/s
# (r-kernels/attention.csv). H200: the same die and clocks, H100's rates.
CUDNN_H100 = (344.0e12, 266.0e12)


def shape(length: float) -> float:
    return length / (length + S_HALF)


def attention(r: dict) -> tuple[float, float]:
    """(the model's attention time, the called kernel's at its measured rates) per step in s, for ``r``'s per-GPU
    batch: FA2 on Blackwell, cuDNN on Hopper."""
    b = r["batch"] / r["devices"]
    fwd = 4.0 * b * TOKENS**2 * HIDDEN * LAYERS
    if r["hardware"] in FIT:
        ceiling, units = FIT[r["hardware"]]
        blocks = b * HEADS * math.ceil(TOKENS / 128.0)
        eta = ceiling * blocks / (math.ceil(blocks / units) * units) * shape(TOKENS) * HEAD_DIM / (HEAD_DIM + D_HALF)
    else:
        eta = r["eta_compute"]
    peak = r["predicted_peak"]
    model = 3.0 * fwd / (peak * eta)  # the node study: backward = 2 x forward, at the forward's eta
    scale = shape(TOKENS) / shape(512.0)
    rates = FA2_B200 if r["hardware"] in PEAK else CUDNN_H100
    return model, fwd / (rates[0] * scale) + 2.5 * fwd / (rates[1] * scale)


def main(path: str, hopper: bool) -> None:
    v = pl.read_parquet(path)
    peaks = {"H100 SXM5 80GB": 989.4e12, "H200 SXM 141GB": 989.4e12, "H100 PCIe 80GB": 756.0e12, **PEAK}
    bert = (v.filter(pl.col("name").str.contains("^mlperf-train-.*bert"), pl.col("metric") == "samples_per_s")
            .with_columns(predicted_peak=pl.col("hardware").replace_strict(peaks, default=None)))
    out = []
    for r in bert.iter_rows(named=True):
        step = r["batch"] / r["predicted"]
        priced = r["hardware"] in PEAK or (hopper and r["hardware"] in FIT)
        model, fa2 = attention(r) if priced else (0.0, 0.0)
        new = r["batch"] / (step - model + fa2)
        out.append({"name": r["name"], "hardware": r["hardware"], "per_gpu": r["batch"] // r["devices"],
                    "measured_ms": 1e3 * r["batch"] / r["measured"], "predicted_ms": 1e3 * step,
                    "attn_model_ms": 1e3 * model, "attn_fa2_ms": 1e3 * fa2,
                    "error_before": 100 * (r["predicted"] / r["measured"] - 1),
                    "error_after": 100 * (new / r["measured"] - 1), "new_predicted": new})
    f = pl.DataFrame(out).sort("hardware", "per_gpu")
    pl.Config.set_tbl_rows(60)
    pl.Config.set_tbl_width_chars(200)
    pl.Config.set_float_precision(1)
    print(f.filter(pl.col("attn_fa2_ms") > 0).drop("new_predicted"))
    print(f.group_by("hardware").agg(pl.len(), pl.col("error_before").median(), pl.col("error_after").median()))
    allrows = v.filter(pl.col("metric") == "samples_per_s", pl.col("predicted").is_not_null())
    after = allrows.join(f.select("name", "new_predicted"), on="name", how="left").with_columns(
        pl.coalesce("new_predicted", "predicted").alias("p2"))
    err = (pl.col("predicted") / pl.col("measured") - 1).abs() * 100
    err2 = (pl.col("p2") / pl.col("measured") - 1).abs() * 100
    print("samples_per_s rows", allrows.height, "median |error| (point rows) before",
          round(after.select(err.median()).item(), 2), "after", round(after.select(err2.median()).item(), 2))


if __name__ == "__main__":
    main(sys.argv[1], "--hopper" in sys.argv[2:])
