"""r-mxmoe: the arithmetic behind the README's figures (sources' numbers against the catalog's peaks, and the
rate the model gives the GPT-OSS 20B H100 1024/1024 row's expert GEMMs).

Run from the worktree root: .venv/bin/python registry_data/research/r-mxmoe/figures.py
"""

from __future__ import annotations

import json
import math
import subprocess
import sys

import polars as pl

HW = pl.read_parquet("registry_data/hardware.parquet").filter(pl.col("name").is_in(["H100 SXM5 80GB",
                                                                                     "H200 SXM 141GB"]))
PEAK = dict(zip(HW["name"], HW["peak_bf16_flop_per_s"], strict=True))
BW = dict(zip(HW["name"], HW["memory_bandwidth_bytes_per_s"], strict=True))


def sources() -> None:
    """Each source's figure as a fraction of the catalog's peak."""
    # sgl-project/sglang PR #38884 description: Marlin W4A16 MoE GEMM on H100, 1.237 TFLOP per layer in 4.863 ms
    marlin = 1.237e12 / 4.863e-3
    print(f"Marlin W4A16 MoE GEMM, H100 (sglang#38884): {marlin / 1e12:.0f} TFLOP/s = "
          f"{marlin / PEAK['H100 SXM5 80GB']:.3f} of the BF16 peak")
    # triton-lang/triton PR #9248 and #9279: persistent BF16 x MXFP4 MoE on H200, GB/s
    for pr, gbps in (("#9248 before", 2290), ("#9248 after", 2640), ("#9279 after", 2800)):
        print(f"triton_kernels BF16 x MXFP4 MoE, H200 ({pr}): {gbps} GB/s = {gbps * 1e9 / BW['H200 SXM 141GB']:.3f}"
              " of HBM")
    # triton-lang/triton python/triton_kernels/bench/repro_hopper_mxfp4_ptxas.py docstring (H100, ptxas 13.2):
    # 256 experts, K 2048, N 4096, random routing of `rows` rows, tile 16x256x128; weights MXFP4 (0.5 B + 1/32 B
    # of E8M0 scale per element). Experts touched: E (1 - (1 - 1/E)^rows).
    experts, k, n = 256, 2048, 4096
    for rows, us in ((64, 121.5), (512, 431.5)):
        touched = experts * (1 - (1 - 1 / experts) ** rows)
        nbytes = touched * k * n * (0.5 + 1 / 32) + rows * k * 2 + rows * n * 2
        bw = nbytes / (us * 1e-6)
        print(f"triton_kernels repro, H100, rows {rows}: {touched:.1f} experts, {nbytes / 1e6:.0f} MB in {us} us = "
              f"{bw / 1e12:.2f} TB/s = {bw / BW['H100 SXM5 80GB']:.3f} of HBM")
    assert math.isclose(marlin / PEAK["H100 SXM5 80GB"], 0.257, abs_tol=0.001)


def model_rate() -> None:
    """The model's expert-GEMM rate for GPT-OSS 20B on H100 at the 1024/1024 row's batch (640), from `mlsys
    evaluate` (per layer: FLOPs / (GEMM time x (1 + the dequantization fraction 0.3)))."""
    cmd = [sys.executable, "-m", "pipeline.cli", "evaluate", "--model", "GPT-OSS 20B", "--hardware",
           "H100 SXM5 80GB", "--study", "serving", "--batch", "640", "--prompt-len", "1024", "--output-len", "1024",
           "--compute-dtype", "bf16", "--weight-dtype", "fp4", "--framework", "TensorRT-LLM", "--json"]
    out = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if out.returncode:
        out = subprocess.run([".venv/bin/mlsys", *cmd[3:]], capture_output=True, text=True, check=True)
    d = json.loads(out.stdout)
    for phase in ("prefill", "decode"):
        rate = d[f"{phase}_mlp_flop"] / d[f"{phase}_mlp_time_s"]
        print(f"model, {phase}: {rate / 1e12:.0f} TFLOP/s before the dequantization overhead, "
              f"{rate / 1.3 / PEAK['H100 SXM5 80GB']:.3f} of the BF16 peak after it")


if __name__ == "__main__":
    sources()
    model_rate()
