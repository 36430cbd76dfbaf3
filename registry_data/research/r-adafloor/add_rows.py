"""Add the L40 small-M FP8 GEMM sweep of sglang PR 3047 to r-kernels/gemm.csv (and the L40's SM count to
sm_count.csv, which the shaped fit needs), for the Ada family's per-call floor (``latency_fit.sweep_intercepts``).

Source: https://github.com/sgl-project/sglang/pull/3047 (description, 2025-01-22, "GPU: sm89-L40", block
"meta-llama/Llama-3.1-8B-Instruct, TP=1", column sglang-fp8-fp16), last_verified 2026-12-06. The printed value is
bench_fp8_gemm.py's "GB/s" = (2MNK + MN) x a.element_size() x 1e-9 / s, with ``a`` float32 (``torch.ones`` x 5.0,
quantized to FP8 outside the timed lambda), so time = 4 (2MNK + MN) 1e-9 / value; triton.testing.do_bench (L2
flushed before each call) median. Only M <= 64 of the two shapes whose rows the stored text holds.

Not applied (README.md: the GEMM fit and the L40S rows get worse); run only to reproduce what was examined.
Run: ``.venv/bin/python registry_data/research/r-adafloor/add_rows.py`` (idempotent: replaces its own rows), then
``.venv/bin/python -m pipeline.validation.gemm_fit``.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

KERNELS = Path(__file__).resolve().parents[1] / "r-kernels"
URL = "https://github.com/sgl-project/sglang/pull/3047"
VERIFIED = "2026-12-06"
# (N, K): {M: printed value}, sglang-fp8-fp16 column
SWEEP = {(6144, 4096): {1: 3.432746e03, 16: 5.444867e04, 64: 2.180305e05},
         (4096, 4096): {1: 3.261910e03, 16: 5.131274e04, 64: 2.036936e05}}
SM_ROW = {"hardware": "L40", "vendor_hardware_name": "NVIDIA L40", "missing_in_catalog": "", "units": "142",
          "unit_type": "SM", "boost_clock_mhz": "2490", "clock_kind": "boost clock (reseller listing)",
          "source_url": "https://www.mullet.se/product.html?product_id=355414",
          "source_location": "L40 / L40S specification table: 18,176 CUDA cores, 142 RT cores, 568 Tensor Cores",
          "trust": "C", "notes": f"142 SMs = 18,176 / 128 CUDA cores = 568 / 4 Tensor Cores (Ada: 128 and 4 an SM);"
                                  f" boost 2490 MHz from https://hmc-tech.com/gpu/nvidia-l40-vs-nvidia-a40;"
                                  f" last_verified {VERIFIED}"}


def gemm_rows() -> list[dict[str, str]]:
    rows = []
    for (n, k), by_m in SWEEP.items():
        for m, value in by_m.items():
            time_s = 4 * (2 * m * n * k + m * n) * 1e-9 / value  # bench_fp8_gemm.py's count, float32 a
            rows.append({
                "hardware": "L40", "vendor_hardware_name": "NVIDIA L40", "missing_in_catalog": "",
                "dtype": "fp8 e4m3 (per-token x per-channel scaled, fp16 out)", "M": str(m), "N": str(n),
                "K": str(k), "layout": "TN", "achieved_tflops": f"{2 * m * n * k / time_s / 1e12:.6g}",
                "time_s": f"{time_s:.6g}", "library": "sgl-kernel fp8_scaled_mm (CUTLASS 2.x, sm89)",
                "library_version": "sgl-kernel at the PR's head (Jan 2025)",
                "measurement_kind": "shape sweep: small-M to large-M (fp8 W8A8)", "source_url": URL,
                "source_location": f"PR #3047 description (2025-01-22), 'GPU: sm89-L40', Llama-3.1-8B-Instruct TP=1, "
                                   f"N={n} K={k}, column 'sglang-fp8-fp16', batch_size = {m}",
                "trust": "C",
                "notes": f"reported value {value:.6e} (bench_fp8_gemm.py's 'GB/s' = (2MNK + MN) x 4 x 1e-9 / s, a is "
                         f"float32; do_bench median); time = that count / value; achieved = 2MNK / time; inputs "
                         f"quantized outside the timed call; last_verified {VERIFIED}"})
    return rows


def rewrite(path: Path, mine, new: list[dict[str, str]]) -> None:
    """Keep ``path``'s lines byte for byte (its line endings are mixed) but those ``mine`` of its own rows; append
    ``new`` in its columns."""
    lines = path.read_bytes().decode().split("\n")
    fields = next(csv.reader([lines[0].rstrip("\r")]))
    kept = [line for line in lines[1:-1] if not mine(line)]
    out = io.StringIO()
    csv.DictWriter(out, fieldnames=fields, lineterminator="\n").writerows(new)
    path.write_bytes(("\n".join([lines[0], *kept]) + "\n" + out.getvalue()).encode())


if __name__ == "__main__":
    rewrite(KERNELS / "gemm.csv", lambda line: line.startswith("L40,") and URL in line, gemm_rows())
    rewrite(KERNELS / "sm_count.csv", lambda line: line.startswith("L40,"), [SM_ROW])
