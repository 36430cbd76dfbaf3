"""Six perf-overview rows' decode pass, term by term at the batch their prediction used (time per layer, achieved
TFLOP/s and GB/s, bound), as r-w7cap's decode_terms.py. Run from the repository root:

    .venv/bin/python -m pipeline validate --out DIR
    .venv/bin/python registry_data/research/r-dectrt/decode_terms.py DIR
"""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl

from pipeline.catalogs.load import load_catalogs
from pipeline.spec import parse_spec
from pipeline.studies import single

OPERATORS = ("qkv_proj", "attention", "o_proj", "mlp", "norms", "lm_head")
CASES = [("Llama 3.1 8B", "H100 SXM5 80GB", 1, 128, 2048), ("Llama 3.1 8B", "H200 SXM 141GB", 1, 128, 128),
         ("Llama 3.1 70B", "H100 SXM5 80GB", 4, 128, 4096), ("Llama 3.1 70B", "H100 SXM5 80GB", 2, 1000, 1000),
         ("Llama 3.1 8B", "A100 SXM4 80GB", 1, 128, 2048), ("Llama 3.1 70B", "H200 SXM 141GB", 2, 2048, 2048)]


def decode_pass(row: dict, catalogs) -> dict:
    dtype = row["compute_dtype"]
    spec = {"study": "serving", "axes": {
        "model": [row["model"]], "hardware": [row["hardware"]], "compute_dtype": [dtype],
        "weight_dtype": [row["weight_dtype"] or dtype], "kv_dtype": [dtype], "tp": [row["tp"]], "pp": [1],
        "batch": [int(row["batch_used"])], "prompt_len": [row["prompt_len"]], "output_len": [row["output_len"]]},
        "efficiency": {"framework": "TensorRT-LLM"}}
    return single.answer(parse_spec(spec, "decode terms"), catalogs, breakdown=True).rows[0]


def main(run: Path) -> None:
    rows = pl.read_parquet(next(run.glob("validation/*/validation.parquet"))).filter(
        pl.col("metric") == "tokens_per_s", pl.col("source_url").str.contains("perf-overview"),
        pl.col("framework") == "TensorRT-LLM")
    catalogs = load_catalogs()
    for model, hardware, tp, prompt, output in CASES:
        at = rows.filter(model=model, hardware=hardware, tp=tp, prompt_len=prompt, output_len=output)
        row = at.row(0, named=True)
        r = decode_pass(row, catalogs)
        print(f"\n{model} {hardware} tp{tp} {prompt}/{output} {row['compute_dtype']} batch {row['batch_used']:.0f} "
              f"error {row['error_pct']:+.1f} %: ITL {r['itl_s'] * 1e3:.2f} ms")
        for op in OPERATORS:
            t, flop, nbytes = r[f"decode_{op}_time_s"], r[f"decode_{op}_flop"], r[f"decode_{op}_bytes"]
            print(f"  {op:9s} {t * 1e3:8.4f} ms/layer  {flop / t / 1e12:6.0f} TFLOP/s  {nbytes / t / 1e9:6.0f} GB/s  "
                  f"{r[f'decode_{op}_bound']}")
        print(f"  communication {r['decode_communication_time_s'] * 1e3:.2f} ms, launches "
              f"{r['decode_launch_overhead_s'] * 1e3:.3f} ms")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
