"""Where the model's Mixtral decode step goes, term by term, next to Mistral 7B v0.1 (the same attention, d_model,
layers and KV heads: only the MLP differs) at the batches the TensorRT-LLM v0.17 perf-overview rows run in the
validation (``batch_used``). Prints one block per case: ITL, the per-class decode times (all layers) and one
layer's MLP time and bound. Nothing fitted. Run from the repository root, on any tree:
.venv/bin/python registry_data/research/r-moemix/mixtral_terms.py
"""

from __future__ import annotations

import pipeline

# model, hardware, tp, batch, prompt, output (batch: the validation's batch_used for that perf-overview row)
CASES = [("Mixtral 8x7B", "H200 SXM 141GB", 1, 512, 1000, 1000),
         ("Mistral 7B v0.1", "H200 SXM 141GB", 1, 512, 1000, 1000),
         ("Mixtral 8x7B", "H200 SXM 141GB", 2, 1024, 500, 2000),
         ("Mixtral 8x7B", "H200 SXM 141GB", 8, 3072, 500, 2000),
         ("Mixtral 8x7B", "H100 SXM5 80GB", 8, 1536, 2048, 2048),
         ("Llama 3.1 70B", "H100 SXM5 80GB", 8, 768, 2048, 2048)]
CLASSES = ("attention_class", "mlp_class", "other_class", "communication", "moe_routing", "launch_overhead")


def main() -> None:
    for model, hardware, tp, batch, prompt, output in CASES:
        r = pipeline.evaluate_serving(model, hardware, batch=batch, tp=tp, prompt_len=prompt, output_len=output,
                                      compute_dtype="fp8", breakdown=True).row(0, named=True)
        parts = ", ".join(f"{c} {1e3 * (r.get(f'decode_{c}_time_s') or r.get(f'decode_{c}_s') or 0.0):.2f}"
                          for c in CLASSES)
        print(f"{model:16s} {hardware:15s} tp{tp} b{batch:5d} in{prompt} out{output}: ITL {1e3 * r['itl_s']:.2f} ms "
              f"({parts} ms); one layer's MLP {1e6 * r['decode_mlp_time_s']:.0f} us ({r['decode_mlp_bound']}); "
              f"TTFT {r['ttft_s']:.2f} s (prefill MLP class {r['prefill_mlp_class_time_s']:.2f} s, routing "
              f"{r.get('prefill_moe_routing_time_s') or 0.0:.2f} s)")


if __name__ == "__main__":
    main()
