"""The what-if of README.md: TensorRT-LLM 0.6.1's generation kernel (masked MHA, one CTA per query head and
sequence) reads each KV head once per query head it serves, so a GQA model's decode moves g = n_heads / n_kv_heads
times the K/V bytes the serving study counts (it counts each KV head once, as XQA, FlashInfer and FlashAttention
read it). Added by hand on top of the study's own columns, per decode step: (g - 1) x the step's K/V bytes /
(memory bandwidth x the study's eta_memory). Nothing is fitted: g = 64 / 8 is Llama 2 70B's architecture.

Run from the repository root: .venv/bin/python registry_data/research/r-tpsdev/whatif.py
"""

from __future__ import annotations

import pipeline

HARDWARE, BANDWIDTH = "H100 SXM5 80GB", 3.35e12  # the catalog's memory_bandwidth_bytes_per_s
HEADS, KV_HEADS, HEAD_DIM, LAYERS = 64, 8, 128, 80  # Llama 2 70B (the page's build command: --n_head 64 --n_kv_head 8)
# (batch, tp, input, output, measured out tok/s/GPU): the page's 'H100 GPUs (FP8)' Llama 70B rows
ROWS = [(1024, 2, 128, 128, 2657), (480, 4, 128, 2048, 1486), (96, 2, 2048, 128, 306), (64, 2, 2048, 2048, 547)]


def main() -> None:
    g = HEADS / KV_HEADS
    for batch, tp, prompt, output, measured in ROWS:
        r = pipeline.evaluate_serving("Llama 2 70B", HARDWARE, batch=batch, tp=tp, prompt_len=prompt,
                                      output_len=output, compute_dtype="fp8", framework="TensorRT-LLM",
                                      breakdown=False).row(0, named=True)
        kv_bytes = batch * (prompt + (output - 1) / 2) * 2 * KV_HEADS / tp * HEAD_DIM * LAYERS  # fp8: 1 B each
        extra_s = (g - 1) * kv_bytes / (BANDWIDTH * r["eta_memory"])
        run_s = r["ttft_s"] + (output - 1) * r["itl_s"]
        now = batch * output / run_s / tp
        what_if = batch * output / (run_s + (output - 1) * extra_s) / tp
        itl_ms, new_itl_ms = r["itl_s"] * 1e3, (r["itl_s"] + extra_s) * 1e3
        print(f"b{batch} tp{tp} {prompt}/{output}: itl {itl_ms:.1f} -> {new_itl_ms:.1f} ms, "
              f"out tok/s/GPU {now:.0f} ({100 * (now / measured - 1):+.0f} %) -> {what_if:.0f} "
              f"({100 * (what_if / measured - 1):+.0f} %), measured {measured}")


if __name__ == "__main__":
    main()
