"""Append TensorRT-LLM's published GPT-OSS throughput (docs perf-overview.md, tables 'GPT-OSS 120B' and 'GPT-OSS 20B')
to a registry's measurements catalog. Idempotent: rows named ``trtllm-perf-gptoss-*`` are dropped and rebuilt, every
other row is kept, so a second run changes nothing.

    .venv/bin/python registry_data/research/r-gptoss/add_rows.py REGISTRY

Not applied to the bundled registry on branch h/gptoss (measurements.parquet belongs to v60 this session): the lead
replays it after merging. What each column states and why: README.md of this folder.
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

import polars as pl

from pipeline.catalogs.io import read_catalog, write_catalog

COMMIT = "585c756579dc4d01f21fc13c2f604cdb461ac4f0"
URL = f"https://github.com/NVIDIA/TensorRT-LLM/blob/{COMMIT}/docs/source/developer-guide/perf-overview.md"
PREFIX = "trtllm-perf-gptoss-"
VERIFIED = dt.date(2026, 12, 7)
# the page's 'Number of Requests' table (1000/1000 is not in it)
REQUESTS = {(1024, 1024): 3000, (8192, 1024): 1500, (1024, 8192): 1500, (32768, 1024): 1000, (1024, 32768): 1000}
LENGTHS = [(1000, 1000), (1024, 1024), (1024, 8192), (1024, 32768), (8192, 1024), (32768, 1024)]

# column heading -> (catalog hardware, devices, ep, compute, kv): attention DP x EP ('DEPn') is tp 1, ep n on n
# devices; Blackwell runs the MXFP4 experts W4A8 (MXFP8 activations) and an FP8 KV cache, Hopper W4A16 and a BF16 KV
# cache (README.md: the page's llm_options.yml 'Hopper: use auto', TensorRT-LLM's get_mxfp4_quant_algo)
COLUMNS = {
    "B200 DEP2 (FP4)": ("B200 (HGX B200)", 2, 2, "fp8", "fp8"),
    "GB200 TP1 (FP4)": ("GB200 NVL72 GPU", 1, 1, "fp8", "fp8"),
    "B200 TP1 (FP4)": ("B200 (HGX B200)", 1, 1, "fp8", "fp8"),
    "H200 TP1 (FP8)": ("H200 SXM 141GB", 1, 1, "bf16", "bf16"),
    "H100 DEP4 (FP8)": ("H100 SXM5 80GB", 4, 4, "bf16", "bf16"),
    "H100 TP1 (FP8)": ("H100 SXM5 80GB", 1, 1, "bf16", "bf16"),
}
# model -> column heading -> values in LENGTHS order (None: the page's cell is empty)
TABLES = {
    "GPT-OSS 120B": {
        "B200 DEP2 (FP4)": [25943, 25870, 17289, 6279, 6111, 1392],
        "GB200 TP1 (FP4)": [27198, 26609, 14800, 5556, 6835, 1645],
        "H200 TP1 (FP8)": [6868, 6798, 3543, None, 1828, 519],
        "H100 DEP4 (FP8)": [4685, 4715, None, 1177, 1169, 333],
    },
    "GPT-OSS 20B": {
        "B200 TP1 (FP4)": [53812, 53491, 34702, 14589, 11904, 2645],
        "GB200 TP1 (FP4)": [55823, 56528, 38100, 16463, 12941, 2905],
        "H200 TP1 (FP8)": [13858, 13890, 12743, None, 4015, 915],
        "H100 TP1 (FP8)": [11557, 11403, 8617, None, 3366, 785],
    },
}
NOTES = ("TensorRT-LLM perf overview (docs/source/developer-guide/perf-overview.md @{commit}): trtllm-bench "
         "throughput, PyTorch backend, requests at an infinite rate (max load), synthetic fixed ISL/OSL "
         "(prepare_dataset.py token-norm-dist, stdev 0); metric 'Per GPU Output Throughput (tps/gpu)' (output "
         "tokens). Checkpoint "
         "openai/{hf}: MXFP4 routed experts, BF16 attention (weight_dtype fp4; the models catalog's quantized_layers). "
         "llm_options.yml for GPT-OSS: CUDA graphs with padding, enable_attention_dp true, kv_cache_config dtype fp8 "
         "('Hopper: use auto'), moe backend CUTLASS ('Hopper: use TRITON'). Column '{column}': {layout}. {precision} "
         "Batch not stated (trtllm-bench's own max batch). kv_cache_free_gpu_mem_fraction 0.95 in many cases, 0.90 on "
         "OOM (page). [trust B: vendor reference table] added by r-gptoss/add_rows.py")
BLACKWELL = ("Blackwell: TensorRT-LLM runs an mxfp4 checkpoint's experts W4A8_MXFP4_MXFP8 on sm >= 100 with a "
             "non-Triton MoE backend (tensorrt_llm/_torch/model_config.py get_mxfp4_quant_algo @008e0af8): compute "
             "fp8; "
             "KV fp8.")
HOPPER = ("Hopper: W4A16_MXFP4 below sm 100 (get_mxfp4_quant_algo): compute bf16; KV 'auto' = the model's BF16. The "
          "heading's '(FP8)' names no FP8 GPT-OSS checkpoint (the page's FP8 model list has none).")


def rows() -> pl.DataFrame:
    out = []
    for model, table in TABLES.items():
        hf = model.lower().replace(" ", "-")
        for column, values in table.items():
            hardware, devices, ep, compute, kv = COLUMNS[column]
            layout = f"attention DP {ep} x EP {ep} (tp 1, ep {ep}, {devices} GPUs)" if ep > 1 else "TP1, one GPU"
            for (isl, osl), value in zip(LENGTHS, values, strict=True):
                if value is None:
                    continue
                tag = column.split()[0].lower() + (f"-dep{ep}" if ep > 1 else "-tp1")
                out.append({
                    "source_url": URL, "last_verified": VERIFIED, "source_quality": "primary",
                    "notes": NOTES.format(commit=COMMIT[:8], hf=hf, column=column, layout=layout,
                                          precision=BLACKWELL if compute == "fp8" else HOPPER),
                    "name": f"{PREFIX}{hf.removeprefix('gpt-oss-')}-{tag}-in{isl}-out{osl}-per-gpu",
                    "metric": "tokens_per_s_per_device", "value": float(value), "unit": "tok/s", "model": model,
                    "hardware": hardware, "devices": devices, "compute_dtype": compute, "weight_dtype": "fp4",
                    "kv_dtype": kv, "framework": "TensorRT-LLM", "scenario": "offline", "prompt_len": isl,
                    "output_len": osl, "tp": 1, "pp": 1, "ep": ep, "requests": REQUESTS.get((isl, osl)),
                    "dataset": f"synthetic fixed ISL {isl}/OSL {osl} (stdev 0)",
                    "source_location": f"perf-overview.md, table '{model}', row '{isl}/{osl}', column "
                                       f"'{column}' = {value:,}"})
    return pl.DataFrame(out)


def merged(measurements: pl.DataFrame, added: pl.DataFrame) -> pl.DataFrame:
    kept = measurements.filter(~pl.col("name").str.starts_with(PREFIX))
    return pl.concat([kept, added], how="diagonal_relaxed").select(measurements.columns).cast(
        dict(measurements.schema))


def main(registry: Path) -> None:
    measurements = read_catalog("measurements", registry)
    print(write_catalog(merged(measurements, rows()), "measurements", registry))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("registry", type=Path)
    main(parser.parse_args().registry)
