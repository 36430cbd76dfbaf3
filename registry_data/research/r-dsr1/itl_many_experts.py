"""Decode ITL of MoE models (the README's before -> after list): one serving configuration each, its ITL, MLP class
time and the MLP's bound. Run from the repository root, on this branch and on a tree before the change:
.venv/bin/python registry_data/research/r-dsr1/itl_many_experts.py
"""

from __future__ import annotations

import pipeline

# model, hardware, tp, compute dtype, batch (prompt 1024, output 256)
CASES = [("Qwen3-30B-A3B", "H100 SXM5 80GB", 1, "fp8", 64),
         ("Qwen3-30B-A3B", "H100 SXM5 80GB", 1, "fp8", 256),
         ("Qwen3-235B-A22B", "H200 SXM 141GB", 8, "fp8", 64), ("Qwen3-235B-A22B", "H200 SXM 141GB", 8, "fp8", 256),
         ("DeepSeek-R1", "H200 SXM 141GB", 8, "fp8", 64), ("Mixtral 8x7B", "H100 SXM5 80GB", 2, "fp8", 256),
         ("Llama 4 Maverick 17B-128E", "H100 SXM5 80GB", 8, "fp8", 128), ("GLM-4.5-Air", "H100 SXM5 80GB", 4, "fp8", 128)]


def main() -> None:
    for model, hardware, tp, dtype, batch in CASES:
        r = pipeline.evaluate_serving(model, hardware, batch=batch, tp=tp, prompt_len=1024, output_len=256,
                                      compute_dtype=dtype, breakdown=True).row(0, named=True)
        print(f"{model:26s} {hardware:15s} tp{tp} b{batch:4d}: ITL {r['itl_s'] * 1e3:7.2f} ms, mlp_class "
              f"{r['decode_mlp_class_time_s'] * 1e3:7.2f} ms, MLP {r['decode_mlp_bound']}-bound")


if __name__ == "__main__":
    main()
