"""The bandwidth Transformer Engine's GEMM-input casts reach, from two published kernel benchmarks.

1. NVIDIA/TransformerEngine docs/examples/gemm_profiling/gemm_profiling.rst @8f2e6357 (PR #2863): the 12 GEMMs
   of one layer (hidden 4096, intermediate 16384, M = 31 x 512 tokens; shapes from benchmarks/gemm/benchmark_gemm.py
   ``compute_gemm_shapes``: fprop (M, K, N), dgrad (M, N, K), wgrad (K, M, N)) timed as ``te.Linear(K, N)(x)`` under
   autocast (quantizes x, M x K, and the weight, K x N, every call) and pre-quantized (``tex.generic_gemm`` on
   quantized operands). Autocast minus pre-quantized = the casts. Which copies a call writes is not printed, so
   three readings: both operands row- and column-wise, x both and the weight row-wise, both row-wise only.
2. ROCm/TransformerEngine PR #598 (2026-05-27), "Single Kernel Optimization Results": NVIDIA's TE MXFP8 quantize
   on B200, BF16 8192 x 8192, row-wise 34.84 us, column-wise 39.61 us, both 52.34 us.

Run: .venv/bin/python registry_data/research/r-fp8cast/cast_bandwidth.py
"""

import polars as pl

HW = pl.read_parquet("registry_data/hardware.parquet").select("name", "memory_bandwidth_bytes_per_s")
BW = dict(HW.iter_rows())


def layer_elements(h: int, f: int, m: int) -> tuple[int, int]:
    fprop = [(m, h, 3 * h), (m, h, h), (m, h, f), (m, f, h)]
    shapes = fprop + [(a, c, b) for a, b, c in fprop] + [(b, a, c) for a, b, c in fprop]
    return sum(a * b for a, b, _ in shapes), sum(b * c for _, b, c in shapes)  # x elements, weight elements


# bytes a element: (both copies, row-wise copy only); tensor-wise current scaling reads the 16-bit tensor twice
# (amax, then cast), NVFP4 too (its global amax); MXFP8 scales 1 B / 32, NVFP4 1 B / 16
RECIPES = {"FP8Current": (2 + 2 + 2 * 1.0, 2 + 2 + 1.0), "MXFP8": (2 + 2 * (1 + 1 / 32), 2 + 1 + 1 / 32),
           "NVFP4": (2 + 2 + 2 * (0.5 + 1 / 16), 2 + 2 + 0.5 + 1 / 16)}
# per-layer totals (ms), autocast and pre-quantized, from the rst
RUNS = [("B300 (HGX B300)", "FP8Current", 9.147, 6.812), ("B300 (HGX B300)", "MXFP8", 8.984, 7.161),
        ("B300 (HGX B300)", "NVFP4", 6.453, 3.764), ("H200 NVL 141GB", "FP8Current", 20.285, 16.785)]

x, w = layer_elements(4096, 16384, 31 * 512)
print(f"TE gemm_profiling 5B layer: {x:.4e} input and {w:.4e} weight elements cast a layer")
for hw, recipe, auto, pre in RUNS:
    both, row = RECIPES[recipe]
    casts_s = (auto - pre) * 1e-3
    for label, nbytes in (("all both", (x + w) * both), ("x both, w row", x * both + w * row),
                          ("all row", (x + w) * row)):
        bw = nbytes / casts_s
        print(f"  {hw:16} {recipe:10} casts {casts_s * 1e3:.3f} ms  {label:13} {nbytes / 1e9:6.2f} GB  "
              f"{bw / 1e12:4.2f} TB/s = {bw / BW[hw]:.2f} of HBM")
n = 8192 * 8192
for label, us, nbytes in (("row-wise", 34.84, n * (2 + 1 + 1 / 32)), ("column-wise", 39.61, n * (2 + 1 + 1 / 32)),
                          ("both", 52.34, n * (2 + 2 * (1 + 1 / 32)))):
    bw = nbytes / (us * 1e-6)
    print(f"B200 TE MXFP8 quantize 8192^2 {label:11} {us:6.2f} us  {bw / 1e12:4.2f} TB/s = "
          f"{bw / BW['B200 (HGX B200)']:.2f} of HBM")
