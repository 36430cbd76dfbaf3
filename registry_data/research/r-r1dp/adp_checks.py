"""Hand checks of the attention-DP context stall (pipeline.walls.expert_parallel.attention_dp_*) against published
attention-DP serving figures (none of them a fitted or catalog row). Run from the repository root:
.venv/bin/python registry_data/research/r-r1dp/adp_checks.py
Each line: the layout, the stall per iteration (serving.attention_dp_unaligned on), ITL, and tokens/s per GPU with
prefill (batch x generated / e2e, what trtllm-bench reports) with the stall and without it (aligned, the default:
e2e - (G - 1) x stall)."""

from __future__ import annotations

import pipeline

# (label, model, hardware, compute dtype, weight dtype, kv dtype, ep, batch, prompt, output, published tok/s/GPU)
CASES = [
    ("TRT-LLM best-perf H200 max-throughput (catalog row)", "DeepSeek-R1", "H200 SXM 141GB", "fp8", "fp8", "fp8", 8,
     1024, 1024, 2048, 1436.2),
    ("TRT-LLM best-perf B200 FP16 KV (catalog row, its bf16 compute)", "DeepSeek-R1", "B200 (HGX B200)", "bf16", "fp4",
     "bf16", 8, 3072, 1024, 2048, 4548.0),
    ("  same, FP8 compute (not the row's)", "DeepSeek-R1", "B200 (HGX B200)", "fp8", "fp4", "bf16", 8, 3072, 1024,
     2048, 4548.0),
    ("  same, FP4 compute (not the row's)", "DeepSeek-R1", "B200 (HGX B200)", "fp4", "fp4", "bf16", 8, 3072, 1024,
     2048, 4548.0),
    ("TRT-LLM perf-overview R1-0528 H200 DEP8 1k/1k (ADP balance on)", "DeepSeek-R1", "H200 SXM 141GB", "fp8", "fp8",
     "fp8", 8, 1024, 1024, 1024, 1620.0),
    ("TRT-LLM perf-overview R1-0528 H200 DEP8 1k/8k (ADP balance on)", "DeepSeek-R1", "H200 SXM 141GB", "fp8", "fp8",
     "fp8", 8, 1024, 1024, 8192, 1218.0),
    ("TRT-LLM perf-overview R1-0528 B200 DEP4 FP4 1k/1k (ADP balance on; batch a guess)", "DeepSeek-R1",
     "B200 (HGX B200)", "fp4", "fp4", "fp8", 4, 2048, 1024, 1024, 6430.0),
    ("TRT-LLM perf-overview Qwen3-235B-A22B H200 DEP4 FP8 1k/1k (batch a guess)", "Qwen3-235B-A22B",
     "H200 SXM 141GB", "fp8", "fp8", "fp8", 4, 1024, 1024, 1024, 3268.0),
]
# TensorRT-LLM tech blog 10 (ADP balance): DeepSeek-V3 on 8 GB200, ADP8 EP8, ISL 803 / OSL 3,653 mean, baseline
# 25,664 TPS against 34,140 with ADP balance (1.33x); batch and dtype not stated: a few per-rank batches at FP8.
BLOG10 = [("DeepSeek-V3", "GB200 NVL72 GPU", "fp8", 8, b, 803, 3653) for b in (512, 1024, 2048, 4096)]


def _row(model, hardware, c, w, kv, ep, batch, prompt, output) -> dict:
    """The layout with serving.attention_dp_unaligned on (the stall in e2e; aligned: e2e less (G - 1) x stall)."""
    axes = {"model": [model], "hardware": [hardware], "compute_dtype": [c], "weight_dtype": [w], "kv_dtype": [kv],
            "batch": [batch], "tp": [1], "pp": [1], "ep": [ep], "prompt_len": [prompt], "output_len": [output]}
    return pipeline.sweep({"study": "serving", "axes": axes, "efficiency": {"framework": "TensorRT-LLM"},
                           "serving": {"attention_dp_unaligned": True}}).row(0, named=True)


def _per_gpu(r: dict, batch: int, output: int, ep: int, stall: bool) -> float:
    e2e = r["e2e_latency_s"] - (0 if stall else (output - 1) * r["attention_dp_stall_s"])
    return batch * output / e2e / ep


def main() -> None:
    for label, model, hw, c, w, kv, ep, batch, prompt, output, published in CASES:
        r = _row(model, hw, c, w, kv, ep, batch, prompt, output)
        if not r["is_feasible"]:
            print(f"{label}: batch {batch} does not fit")
            continue
        with_stall, aligned = _per_gpu(r, batch, output, ep, True), _per_gpu(r, batch, output, ep, False)
        print(f"{label}: batch {batch}, stall {r['attention_dp_stall_s'] * 1e3:.1f} ms, ITL {r['itl_s'] * 1e3:.1f} ms,"
              f" tok/s/GPU {with_stall:,.0f} ({with_stall / published - 1:+.1%}), aligned {aligned:,.0f} "
              f"({aligned / published - 1:+.1%}); published {published:,.0f}")
    for model, hw, c, ep, batch, prompt, output in BLOG10:
        r = _row(model, hw, c, c, c, ep, batch, prompt, output)
        if not r["is_feasible"]:
            print(f"blog 10 {model} {hw} batch {batch}: does not fit")
            continue
        ratio = _per_gpu(r, batch, output, ep, False) / _per_gpu(r, batch, output, ep, True)
        stall = r["attention_dp_stall_s"] * 1e3
        print(f"blog 10 {model} {hw} batch {batch} ({batch // ep}/rank): stall {stall:.1f} ms,"
              f" ITL {r['itl_s'] * 1e3:.1f} ms, aligned / baseline {ratio:.2f} (published 34,140 / 25,664 = 1.33)")


if __name__ == "__main__":
    main()
