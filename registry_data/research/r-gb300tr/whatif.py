"""What the GB300 / GB200 training rows' step time would be if the training study priced the fused attention
core at cuDNN's measured SDPA speed (NVIDIA/cudnn-frontend, results/llama3.1/{gb200,gb300}, bundled in
cudnn_sdpa_fb682ce/) instead of the profile eta on the full-mask FLOPs. Research only: the model is not changed.

Per microbatch the study prices attention at (3 x A + R) / (attention_peak x eta_compute), A = stage layers x the
full S^2 score FLOPs x microbatch / (tp x cp), R = A under full / selective / projections recompute
(walls/training_compute.flop_time_per_microbatch_s). The kernel's time for the same work: the table's causal
("top_left") forward and backward times at the row's sequence (batch 2 x 64 query heads, 8 KV heads, d 128: per
sequence-head t / 128), forward once more under recompute, x stage layers x microbatch x heads / tp / cp (the
causal work split evenly over the cp ranks, Megatron's load-balanced chunks). FP8 tables where the row runs FP8
dot-product attention (NeMo fp8_dot_product_attention), bf16 otherwise. The step moves by num_microbatches x the
difference (pp 1 rows: compute per microbatch enters the step once per microbatch).

    .venv/bin/python registry_data/research/r-gb300tr/whatif.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).parent))
from probe import terms  # noqa: E402

HERE = Path(__file__).parent / "cudnn_sdpa_fb682ce"
TABLES = {"GB200 NVL72 GPU": "llama3.1_20260424_100750.csv", "GB300 NVL72 GPU": "llama3.1_20260424_100757.csv"}
RECOMPUTED = ("full", "selective", "projections")
ROWS = ["theia-ngpu72-ngc25.09-nemo-llama2", "tyche-ngpu72-ngc25.09-nemo-llama2",
        "theia-ngpu512-ngc25.09-nemo-llama2", "tyche-ngpu512-ngc25.09-nemo-llama2",
        "theia-ngpu72-ngc25.09-nemo-llama31", "tyche-ngpu72-ngc25.09-nemo-llama31",
        "theia-ngpu512-ngc25.09-nemo-llama31", "tyche-ngpu512-ngc25.09-nemo-llama31",
        "theia-ngpu8-ngc25.09-nemo-llama2", "tyche-ngpu8-ngc25.09-nemo-llama2",
        "theia-ngpu8-ngc25.09-nemo-llama31", "tyche-ngpu8-ngc25.09-nemo-llama31",
        "v5.0-nvidia-tyche-ngpu72-ngc25.04-nemo-llama2", "v5.0-nvidia-tyche-ngpu144-ngc25.04-nemo-llama2",
        "v5.0-nvidia-tyche-ngpu512-ngc25.04-nemo-llama2", "v5.0-nvidia-tyche-ngpu8-ngc25.04-nemo-llama2"]


def kernel_ms(hardware: str, dtype: str, seq: int) -> tuple[float, float]:
    """Causal forward and backward milliseconds of the table's call (batch 2, 64 heads) at ``seq``."""
    t = pl.read_csv(HERE / TABLES[hardware]).filter(
        pl.col("backend") == "cudnn", pl.col("data_type") == dtype, pl.col("attn_mask") == "top_left",
        pl.col("q_seqlen") == seq, ~pl.col("deterministic_bwd"))
    by = dict(zip(t["profile_pass"], t["time_ms"], strict=True))
    return by["fwd"], by["bwd"]


def attention_s(r: dict, hardware: str) -> tuple[float, float]:
    """(model's, kernel table's) attention seconds per microbatch of row terms ``r``."""
    again = 1.0 if r["recompute"] in RECOMPUTED else 0.0
    share = r["microbatch"] / (r["tp"] * r["cp"])
    a = r["stage_layers"] * r["attention_core_forward_flop_per_sequence"] * share
    model = (3.0 * a + again * a) / (r["attention_peak_flop_per_s"] * r["eta_compute"])
    fwd, bwd = kernel_ms(hardware, "fp8" if r["fp8_dot_product_attention"] else "bfloat16", int(r["seq_len"]))
    per_head = ((1.0 + again) * fwd + bwd) / 1e3 / 128.0
    kernel = r["stage_layers"] * r["microbatch"] * r["n_heads"] / r["tp"] / r["cp"] * per_head
    return model, kernel


def main() -> None:
    print("| row | hw | measured | model | err | attn model s | attn kernel s | full kernel | err "
          "| GB300 at GB200-ratio | err |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for name in ROWS:
        for r in terms(name):
            hw = r["hardware"]
            if hw not in TABLES or "why" in r or r.get("pp") not in (None, 1.0, 1):
                continue
            model, kernel = attention_s(r, hw)
            n = r["num_microbatches"]
            full = r["step_time_s"] - n * (model - kernel)
            ratio = ""
            if hw == "GB300 NVL72 GPU":
                _, k200 = attention_s(r, "GB200 NVL72 GPU")
                scaled = r["step_time_s"] - n * model * (1.0 - kernel / k200)
                ratio = f"{scaled:.4f} | {100 * (scaled / r['value'] - 1):+.1f}"
            else:
                ratio = "- | -"
            print(f"| {r['name'].removeprefix('mlperf-train-')} | {hw[:5]} | {r['value']} | {r['step_time_s']:.4f} "
                  f"| {100 * (r['step_time_s'] / r['value'] - 1):+.1f} | {n * model:.4f} | {n * kernel:.4f} "
                  f"| {full:.4f} | {100 * (full / r['value'] - 1):+.1f} | {ratio} |")


if __name__ == "__main__":
    main()
