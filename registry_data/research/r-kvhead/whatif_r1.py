"""README.md's DeepSeek-R1 check: how much of the H200 row's +112 % r-tpsdev's lead (its KV cache in BF16, not the
FP8 the row is predicted with) can explain. The validation's own prediction (`pipeline.evaluate_serving` with the
row's columns: batch 1024, tp 1, ep 8, 1024 in / 2048 out, FP8 compute and weights, TensorRT-LLM), then the same
with ``kv_dtype="bf16"``; out tok/s/GPU = batch x out / (TTFT + (out - 1) x ITL) / 8 GPUs, as the validation has it.
Nothing fitted. Run from the repository root: .venv/bin/python registry_data/research/r-kvhead/whatif_r1.py
"""

from __future__ import annotations

import pipeline

MEASURED = 1436.1584  # out tok/s/GPU, Best_perf_practice_on_DeepSeek-R1_in_TensorRT-LLM.md 'H200 max-throughput'
BATCH, PROMPT, OUTPUT, GPUS = 1024, 1024, 2048, 8
TERMS = ("decode_attention_class_time_s", "decode_mlp_class_time_s", "decode_other_class_time_s",
         "decode_communication_time_s")


def main() -> None:
    for kv_dtype in (None, "bf16"):
        r = pipeline.evaluate_serving("DeepSeek-R1", "H200 SXM 141GB", batch=BATCH, tp=1, ep=GPUS, prompt_len=PROMPT,
                                      output_len=OUTPUT, compute_dtype="fp8", weight_dtype="fp8", kv_dtype=kv_dtype,
                                      framework="TensorRT-LLM", breakdown=False).row(0, named=True)
        out = BATCH * OUTPUT / (r["ttft_s"] + (OUTPUT - 1) * r["itl_s"]) / GPUS
        terms = ", ".join(f"{t.removeprefix('decode_').removesuffix('_time_s')} {r[t] * 1e3:.1f} ms" for t in TERMS)
        print(f"kv {r['kv_dtype']}: TTFT {r['ttft_s']:.2f} s, ITL {r['itl_s'] * 1e3:.1f} ms ({terms}); "
              f"out tok/s/GPU {out:.0f} ({100 * (out / MEASURED - 1):+.0f} %), measured {MEASURED:.0f}")
    # the step the measurement implies if every GPU kept its 128 sequences decoding (TTFT ignored): an upper bound
    print(f"measured step <= {BATCH / GPUS / MEASURED * 1e3:.1f} ms per decode step of 128 sequences per GPU")


if __name__ == "__main__":
    main()
