"""Append the small-M NVFP4 GEMM rows of FlashInfer PR #2540 and vLLM PR #42235 (B200 / SM100) to
r-kernels/gemm.csv; re-runnable (rows already present, by source_url, library, M, N, K, are skipped).

Values as read with the workspace search tool (issues corpus) on 2026-12-05; the stored PR texts end where the
excerpts end, so only these rows are readable (see README.md). Times are the sources' own (ms in #2540);
#42235 reports TFLOP/s only.
"""

from __future__ import annotations

import csv
from pathlib import Path

GEMM = Path(__file__).resolve().parents[1] / "r-kernels" / "gemm.csv"
FI = "https://github.com/flashinfer-ai/flashinfer/pull/2540"
VL = "https://github.com/vllm-project/vllm/pull/42235"
DTYPE = "fp4_e2m1 (nvfp4: e4m3 scale per 16, bf16 out, no quant overhead)"
# FlashInfer PR #2540 (2026, "feat: cute dsl mmfp4 for blackwell"), flashinfer_benchmark mm_fp4 table:
# (m, n, k) -> time in ms per backend (cudnn, cutlass, trtllm, cute_dsl); None where the excerpt is cut.
FI_ROWS = {
    (1, 512, 7168): (0.009808, 0.009312, 0.010912, 0.009824),
    (1, 896, 1024): (0.004176, 0.004720, 0.004608, 0.004384),
    (1, 896, 5120): (0.008192, 0.007888, 0.008896, 0.008128),
    (1, 1024, 7168): (0.010224, 0.009600, 0.011216, 0.010192),
    (1, 1280, 8192): (0.011312, 0.010448, 0.012448, 0.011311),
    (1, 1792, 5120): (0.008528, 0.008416, 0.009328, 0.008592),
    (1, 2560, 8192): (0.012160, 0.011440, None, None),
    (256, 1024, 7168): (0.008736, 0.009760, 0.011616, 0.010208),
    (256, 4608, 7168): (0.010560, 0.011712, 0.013472, 0.012048),
    (256, 7168, 256): (0.004064, 0.004672, 0.004544, 0.004064),
    (256, 7168, 512): (0.004416, 0.005072, 0.004960, 0.004464),
    (256, 7168, 2304): (0.006912, 0.007792, 0.007936, 0.007360),
    (256, 7168, 4608): (0.009184, 0.010080, 0.010864, 0.010160),
    (256, 9216, 7168): (0.012576, 0.013472, 0.016080, 0.014624),
    (512, 896, 5120): (0.007456, 0.008320, 0.009248, 0.008448),
}
FI_BACKENDS = ("cudnn", "cutlass", "trtllm", "cute_dsl")
# vLLM PR #42235 (2026-05-14 comment, "FlashInfer NVFP4 GEMM Results", "### SM100", "#### N=7168, K=2048"):
# M -> TFLOP/s per backend (CuTeDSL, CUTLASS, TRTLLM); None where the excerpt is cut.
VL_ROWS = {1: (7.75, 7.59, 8.87), 2: (15.96, 13.99, 16.72), 4: (30.94, 28.99, 33.14), 8: (72.41, 60.67, 70.36),
           16: (144.98, 120.89, 130.30), 32: (290.41, None, None)}
VL_BACKENDS = ("CuTeDSL", "CUTLASS", "TRTLLM")


def rows() -> list[dict[str, str]]:
    out = []
    for (m, n, k), times in FI_ROWS.items():
        for backend, ms in zip(FI_BACKENDS, times):
            if ms is None:
                continue
            out.append(dict(
                hardware="B200 (HGX B200)", vendor_hardware_name="Blackwell (PR title; B200-class, SKU not stated)",
                missing_in_catalog="", dtype=DTYPE, M=str(m), N=str(n), K=str(k), layout="NT",
                achieved_tflops=f"{2.0 * m * n * k / (ms * 1e-3) / 1e12:.4f}", time_s=f"{ms * 1e-3:.9f}",
                library=f"FlashInfer mm_fp4 backend={backend}", library_version="FlashInfer PR #2540 (2026)",
                measurement_kind="small-M sweep (DeepSeek / Llama shapes, per backend)", source_url=FI,
                source_location=f"PR description, mm_fp4 table, row m={m} n={n} k={k}, column {backend}_time (ms)",
                trust="C", notes="achieved_tflops derived from the reported time (2MNK / time); the PR's own "
                "tflops column agrees; operands pre-quantized (no quant in the time); GPU inferred B200 (SM100 "
                "CuTe DSL kernel, the same benchmark as FlashInfer PR #1979's B200 rows)"))
    for m, tflops in VL_ROWS.items():
        for backend, tf in zip(VL_BACKENDS, tflops):
            if tf is None:
                continue
            out.append(dict(
                hardware="B200 (HGX B200)", vendor_hardware_name="SM100 GPU (Blackwell; SKU not stated)",
                missing_in_catalog="", dtype=DTYPE, M=str(m), N="7168", K="2048", layout="NT",
                achieved_tflops=f"{tf}", time_s="", library=f"FlashInfer NVFP4 GEMM backend={backend} (via vLLM)",
                library_version="vLLM PR #42235 (2026-05)", measurement_kind="small-M sweep (N=7168 K=2048)",
                source_url=VL, source_location=f"comment 2026-05-14 (mmangkad), \"### SM100\" \"#### N=7168, "
                f"K=2048\", row M={m}, column {backend}", trust="C",
                notes="TFLOP/s as reported (no time given); SM100 read as B200 (SKU not stated); TRTLLM is the "
                "TensorRT-LLM (trtllm-gen) kernel; rows M >= 64 not in the stored text"))
    return out


def main() -> None:
    with GEMM.open(newline="") as f:
        reader = csv.DictReader(f)
        fields, existing = reader.fieldnames, list(reader)
    have = {(r["source_url"], r["library"], r["M"], r["N"], r["K"]) for r in existing}
    new = [r for r in rows() if (r["source_url"], r["library"], r["M"], r["N"], r["K"]) not in have]
    with GEMM.open("a", newline="") as f:
        csv.DictWriter(f, fieldnames=fields, lineterminator="\n").writerows(new)
    print(f"{len(new)} rows appended to {GEMM}")


if __name__ == "__main__":
    main()
