"""Six vLLM rows' configurations (model, accelerator, tp, batch 512 as their predictions use, lengths: the row's or its
dataset's means) term by term under framework vLLM at FP8: TTFT, ITL, batch tokens/s, each phase's class times, the
eager or graph launch time and the activation quant kernels (0 unless the profiles state them: activation_quant.py
--vllm). Run from the repository root:

    .venv/bin/python registry_data/research/r-vllm/terms.py
"""

from __future__ import annotations

from pipeline.catalogs.load import load_catalogs
from pipeline.spec import parse_spec
from pipeline.studies import single

# (model, hardware, tp, batch, prompt, output): RedHat MLPerf v5.1 (CNN-DailyMail mean prompt 870.73, 128 generated),
# AMD MLPerf Llama 2 70B (OpenOrca means 222.33 / the rows' 265-294), AMD blog 405B / 70B TP8 lengths
CASES = [("Llama 3.1 8B", "H100 SXM5 80GB", 1, 512, 871, 128), ("Llama 3.1 8B", "L40S", 1, 512, 871, 128),
         ("Llama 2 70B", "MI300X", 1, 512, 222, 265), ("Llama 3.1 405B", "MI300X", 8, 512, 128, 4096),
         ("Llama 3.1 70B", "MI300X", 8, 512, 128, 2048), ("Llama 2 70B", "MI325X", 1, 512, 222, 294)]
CLASSES = ("attention_class_time_s", "mlp_class_time_s", "other_class_time_s", "communication_time_s",
           "activation_quant_time_s")


def main() -> None:
    catalogs = load_catalogs()
    for model, hardware, tp, batch, prompt, output in CASES:
        spec = {"study": "serving", "axes": {
            "model": [model], "hardware": [hardware], "compute_dtype": ["fp8"], "weight_dtype": ["fp8"],
            "kv_dtype": ["fp8"], "tp": [tp], "pp": [1], "batch": [batch], "prompt_len": [prompt],
            "output_len": [output]}, "efficiency": {"framework": "vLLM"}}
        r = single.answer(parse_spec(spec, "vLLM terms"), catalogs, breakdown=True).rows[0]
        print(f"{model} {hardware} tp{tp} batch {batch} {prompt}/{output}: TTFT {r['ttft_s']:.3f} s, ITL "
              f"{r['itl_s'] * 1e3:.2f} ms, batch tokens/s {r['batch_tokens_per_s']:.0f}")
        for phase in ("prefill", "decode"):
            parts = ", ".join(f"{c.removesuffix('_time_s')} {r[f'{phase}_{c}'] * 1e3:.2f}" for c in CLASSES
                              if f"{phase}_{c}" in r)
            print(f"  {phase} (ms): {parts}")
        eager = r["launch_overhead_s"] * 1e3
        print(f"  decode launches {r['decode_launch_overhead_s'] * 1e3:.3f} ms (eager {eager:.3f} ms), eta_memory "
              f"{r['eta_memory']:.3f}")


if __name__ == "__main__":
    main()
