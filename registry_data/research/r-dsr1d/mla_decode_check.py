"""The model's MLA decode attention (DeepSeek-R1, absorbed: 128 heads over one 576-wide latent, 512-wide values) per
layer against FlashMLA's published decode rates (H800 SXM5, BF16: 580 TFLOP/s, 2025-02; up to 660, 2025-04-22;
https://github.com/deepseek-ai/FlashMLA README and docs/20250422-new-kernel-deep-dive.md: FLOPs 2 h s_k (d_k + d_v)),
and the B200 rows' attention at FP4 / FP8 peak:

    .venv/bin/python registry_data/research/r-dsr1d/mla_decode_check.py
"""

from __future__ import annotations

import pipeline
from pipeline.catalogs.load import load_catalogs

CASES = [("H100 SXM5 80GB", "bf16", "bf16", "bf16"), ("H200 SXM 141GB", "bf16", "bf16", "bf16"),
         ("B200 (HGX B200)", "bf16", "bf16", "bf16"), ("B200 (HGX B200)", "fp4", "fp4", "fp8"),
         ("B200 (HGX B200)", "fp8", "fp8", "fp8")]


def main() -> None:
    hardware = load_catalogs().hardware
    # attention's peak: the KV dtype's where narrower than 16 bits (FP8 here), else bf16's (mixed_precision)
    peaks = {(r["name"], d): r[f"peak_{d}_flop_per_s"] for r in hardware.iter_rows(named=True) for d in ("bf16", "fp8")}
    print("| hardware | compute / KV | sequences per rank | context | attention FLOPs per layer | time per layer | "
          "achieved TFLOP/s | of attention's peak | bound |")
    print("|---|---|---|---|---|---|---|---|---|")
    for hw, compute, weight, kv in CASES:
        for per_rank, prompt in ((128, 4096), (512, 2629)):
            r = pipeline.evaluate_serving("DeepSeek-R1", hw, batch=8 * per_rank, tp=1, ep=8, prompt_len=prompt,
                                          output_len=2, compute_dtype=compute, weight_dtype=weight, kv_dtype=kv,
                                          framework="TensorRT-LLM").row(0, named=True)
            flop, t = r["decode_attention_flop"], r["decode_attention_time_s"]
            peak = peaks[(hw, kv)]
            print(f"| {hw} | {compute} / {kv} | {per_rank} | {prompt + 1} | {flop:.3e} | {t * 1e3:.3f} ms | "
                  f"{flop / t / 1e12:.0f} | {flop / t / peak:.2f} | {r['decode_attention_bound']} |")


if __name__ == "__main__":
    main()
