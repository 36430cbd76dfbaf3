"""What the model assumes for the MLPerf Mixtral 8x7B Offline rows, next to Llama 2 70B on the same systems.

1. The serving study's terms at the layout and batch the validation picks for the NVIDIA rows (TP1 replicas, as NVIDIA's
   configs state) and AMD's (vLLM): TTFT of the batch's prefill, ITL, the prefill share of a request's time and the
   routed rows per expert (t·k/E) in decode and in the model's one-pass prefill.
2. With a validation directory (``python -m pipeline validate --out DIR``): every MLPerf Offline tokens/s row of
   Mixtral 8x7B and Llama 2 70B on H100 / H200 / B200 / MI300X / MI325X, measured and predicted, as the share of the
   accelerator's dense FP8 peak the linear layers' FLOPs take (2 x active matmul parameters per prompt and output token;
   LM head and attention scores left out), so the two models can be compared on one scale.

Nothing fitted. Run from the repository root:
    .venv/bin/python registry_data/research/r-moemix2/mlperf_terms.py [VALIDATION_DIR]
"""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl

import pipeline
from pipeline.catalogs.io import read_catalog

REGISTRY = Path(__file__).parents[2]

# Active matmul parameters per token (models.parquet shapes): Mixtral 8x7B 32 layers x (attention 4096 x (4096 + 2 x
# 1024) + 4096 x 4096 = 41.94 M, top-2 experts 2 x 3 x 4096 x 14336 = 352.32 M) = 12.61 B; Llama 2 70B 80 layers x
# (8192 x 10240 + 8192 x 8192 = 150.99 M, 3 x 8192 x 28672 = 704.64 M) = 68.45 B.
ACTIVE = {"Mixtral 8x7B": 12.61e9, "Llama 2 70B": 68.45e9}
# Prompt means of the MLPerf datasets (workloads.parquet input_tokens_mean), used where a row states none.
PROMPT = {"Mixtral 8x7B": 427.39, "Llama 2 70B": 294.0}
HARDWARE = ("H100 SXM5 80GB", "H200 SXM 141GB", "B200 (HGX B200)", "MI300X", "MI325X")
# model, hardware, tp, batch (the validation's batch_used), prompt, output, compute dtype, framework
CASES = [("Mixtral 8x7B", "H200 SXM 141GB", 1, 2048, 427, 145, "fp8", "TensorRT-LLM"),
         ("Mixtral 8x7B", "H100 SXM5 80GB", 1, 768, 427, 146, "fp8", "TensorRT-LLM"),
         ("Mixtral 8x7B", "B200 (HGX B200)", 1, 3584, 427, 145, "fp4", "TensorRT-LLM"),
         ("Mixtral 8x7B", "MI300X", 1, 512, 427, 144, "fp8", "vLLM"),
         ("Llama 2 70B", "H200 SXM 141GB", 1, 512, 294, 292, "fp8", "TensorRT-LLM")]


def terms() -> None:
    for model, hardware, tp, batch, prompt, output, dtype, framework in CASES:
        r = pipeline.evaluate_serving(model, hardware, batch=batch, tp=tp, prompt_len=prompt, output_len=output,
                                      compute_dtype=dtype, kv_dtype="fp8", framework=framework,
                                      breakdown=True).row(0, named=True)
        if r["itl_s"] is None:
            print(f"{model} {hardware} tp{tp} b{batch}: not predicted ({r.get('reason')})")
            continue
        cycle = r["ttft_s"] + output * r["itl_s"]
        per_expert = "" if model != "Mixtral 8x7B" else (
            f"; rows per expert: decode {batch * 2 / 8:.0f}, one-pass prefill {batch * prompt * 2 / 8:.0f}")
        print(f"{model:13s} {hardware:16s} tp{tp} b{batch:5d} {dtype}: TTFT {r['ttft_s']:.2f} s (MLP class "
              f"{r['prefill_mlp_class_time_s']:.2f}, attention class {r['prefill_attention_class_time_s']:.2f}), "
              f"ITL {1e3 * r['itl_s']:.2f} ms (MLP class {1e3 * r['decode_mlp_class_time_s']:.2f}, attention class "
              f"{1e3 * r['decode_attention_class_time_s']:.2f}); prefill share {r['ttft_s'] / cycle:.1%}; "
              f"{batch * output / cycle:,.0f} tok/s per replica{per_expert}")


def utilisation(out_dir: str) -> None:
    found = sorted(Path(out_dir).glob("validation/*/validation.parquet"))
    if not found:
        raise SystemExit(f"{out_dir}: no validation/*/validation.parquet (run `python -m pipeline validate --out`)")
    peak = dict(read_catalog("hardware", REGISTRY).select("name", "peak_fp8_flop_per_s").iter_rows())  # dense FP8
    rows = pl.read_parquet(found[-1]).filter(
        pl.col("name").str.starts_with("mlperf-") & (pl.col("metric") == "tokens_per_s")
        & pl.col("request_rate").is_null() & pl.col("model").is_in(list(ACTIVE))
        & pl.col("hardware").is_in(HARDWARE) & pl.col("predicted").is_not_null())
    prompt = pl.col("prompt_len").cast(pl.Float64).fill_null(pl.col("model").replace_strict(PROMPT, default=None))
    flop = 2 * pl.col("model").replace_strict(ACTIVE, default=None) * (prompt + pl.col("output_len")) / pl.col(
        "output_len") / pl.col("devices") / pl.col("hardware").replace_strict(peak, default=None)
    with pl.Config(tbl_rows=100, tbl_width_chars=200, fmt_str_lengths=60):
        print(rows.select("name", "model", "hardware", "compute_dtype", "batch_used",
                          measured_util=(pl.col("measured") * flop).round(3),
                          predicted_util=(pl.col("predicted") * flop).round(3),
                          error_pct=pl.col("error_pct").round(1)).sort("model", "hardware", "name"))


if __name__ == "__main__":
    terms()
    if len(sys.argv) > 1:
        utilisation(sys.argv[1])
