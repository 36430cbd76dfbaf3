"""Wall 7's decode pass at TensorRT-LLM's MLPerf shapes, term by term at the catalog's eta: time per pass, achieved
FLOP/s and bytes/s of each operator, so each can be set beside a kernel microbenchmark. Layouts and batches from
NVIDIA's v4.1 harness configs (mlcommons/inference_results_v4.1@198fc467 closed/NVIDIA/configs/llama2-70b/
{Offline,Server}/__init__.py: H100 SXM TP2, gpu_batch_size 896 Offline / 1024 Server; H200 TP1, 806 / 850 / 784);
prompt 222 tokens (OpenOrca mean), output 292. Run from the repository root:

    .venv/bin/python registry_data/research/r-w7cap/decode_terms.py
"""

from __future__ import annotations

from pipeline.catalogs.load import load_catalogs
from pipeline.spec import parse_spec
from pipeline.studies import single

CASES = [("H100 SXM5 80GB", "Llama 2 70B", 2, 1024, 222, 292), ("H200 SXM 141GB", "Llama 2 70B", 1, 806, 222, 291),
         ("H100 SXM5 80GB", "Mixtral 8x7B", 2, 768, 606, 146)]
OPERATORS = ("qkv_proj", "attention", "o_proj", "mlp", "norms", "lm_head")


def decode_pass(hardware: str, model: str, tp: int, batch: int, prompt: int, output: int) -> dict:
    spec = {"study": "serving", "axes": {
        "model": [model], "hardware": [hardware], "compute_dtype": ["fp8"], "weight_dtype": ["fp8"],
        "kv_dtype": ["fp8"], "tp": [tp], "pp": [1], "batch": [batch], "prompt_len": [prompt], "output_len": [output]},
        "efficiency": {"framework": "TensorRT-LLM"}}
    return single.answer(parse_spec(spec, "decode terms"), load_catalogs(), breakdown=True).rows[0]


def main() -> None:
    for hardware, model, tp, batch, prompt, output in CASES:
        r = decode_pass(hardware, model, tp, batch, prompt, output)
        layers = 80 if "70B" in model else 32  # Llama 2 70B, Mixtral 8x7B (models catalog n_layers)
        print(f"\n{hardware} {model} tp{tp} batch {batch}: ITL {r['itl_s'] * 1e3:.1f} ms")
        for op in OPERATORS:
            t, flop, nbytes = r[f"decode_{op}_time_s"], r[f"decode_{op}_flop"], r[f"decode_{op}_bytes"]
            n = 1 if op == "lm_head" else layers
            rates = f"{flop / t / 1e12:6.0f} TFLOP/s  {nbytes / t / 1e9:6.0f} GB/s"
            print(f"  {op:9s} x{n:2d}: {t * n * 1e3:6.2f} ms  {rates}  {r[f'decode_{op}_bound']}")
        print(f"  communication {r['decode_communication_time_s'] * 1e3:.2f} ms, launches "
              f"{r['decode_launch_overhead_s'] * 1e3:.3f} ms")


if __name__ == "__main__":
    main()
