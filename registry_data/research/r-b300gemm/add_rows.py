"""MI355X's GEMM evidence for the kernel fit (r-b300gemm/README.md). Idempotent: a second run changes nothing.

1. The MI355X rows already in r-kernels/gemm.csv and sm_count.csv (stas00's MAMF rows, the RVS targets, 256 CUs) were
   written when the catalog had no MI355X row (hardware empty, missing_in_catalog yes); the catalog now has one
   (hardware.parquet "MI355X"), so they name it.
2. AMD's ROCm blog "From Naive to Near-Peak: Building High-Performance GEMM Kernels with Gluon" (2026-05-22), the
   summary table: a16w16 FP16 4096x4096x8192 1489 TFLOPS, a8w8 BF8 4096x4096x16384 3257 TFLOPS, a4w4 MXFP4
   4096x4096x32768 5255 TFLOPS, on one MI355 (gfx950).
3. ThunderKittens' kernels/gemm/nvfp4_b300/HANDOFF.md (2026-06, SM103 / B300): block-scaled FP4 GEMM at
   M = N = 8192, K = 33024, CUTLASS's SM103 kernel (tcgen05_sustained, preferred 4x4 / fallback 2x1 clusters:
   0.531 ms, 8.342 PFLOP/s; forced 2x1: 0.628 ms, 7.058 PFLOP/s) and ThunderKittens' sample (572.5 us, 7.74 PFLOP/s).

Run: .venv/bin/python registry_data/research/r-b300gemm/add_rows.py
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

KERNELS = Path(__file__).resolve().parents[1] / "r-kernels"
BLOG = "https://rocm.blogs.amd.com/software-tools-optimization/gluon-gemm-tutorial/README.html"
WHERE = "section 'Why Another GEMM Tutorial?', table Kernel / Data type / Shape used in the summary / Documented result"
NOTE = ("one MI355 (gfx950, CDNA4; the blog's 'MI355', the catalog's MI355X); the tutorial's most optimized Gluon "
        "kernel at the blog's summary shape (MxNxK as written), against its pinned ROCm and Triton versions; the "
        "blog's efficiency figure is MFMA busy cycles ({}), not a share of the datasheet peak")
BLOG_ROWS = [  # (dtype, M, N, K, TFLOPS, kernel, MFMA efficiency as stated)
    ("fp16", 4096, 4096, 8192, "1489", "a16w16", "98.75%"),
    ("fp8_e5m2 (AMD bf8)", 4096, 4096, 16384, "3257", "a8w8", "99.72%"),
    ("fp4_e2m1 (MXFP4, e8m0 block-32 scales)", 4096, 4096, 32768, "5255", "a4w4", "92.41%"),
]


TK = ("https://github.com/HazyResearch/ThunderKittens/blob/18e205c87281d375287669153cfdade5edf2bec8/"
      "kernels/gemm/nvfp4_b300/HANDOFF.md")
TK_NOTE = ("the handoff's GPU is 'GB300/B300' (SM103; the sample and PR #201 say B300): the catalog's B300 "
           "(HGX B300) is assumed (at GB300's 15 PF the fraction of peak would be 0.9x); block-scaled E2M1 x E2M1 -> "
           "F32 with UE8M0 scales per 32 elements (tcgen05.mma kind::mxf4nvf4 block32, 256x256x96); 10 warm-ups, "
           "50 repeats; the handoff's NCU note: CUTLASS throttles to 1.55 GHz at 77 % tensor duty, ThunderKittens' "
           "sample runs 1.91 GHz; TFLOP/s = the handoff's PFLOP/s x 1000 (2MNK / time)")
TK_ROWS = [  # (library, variant, time s, PFLOP/s, where)
    ("CUTLASS KernelTmaWarpSpecialized2SmBlockScaledMxNvf4UltraVs32Sm103 (tcgen05_sustained)",
     "preferred cluster 4x4, fallback 2x1", "0.000531", "8.342", "'Observed local reference result on GB300/B300'"),
    ("CUTLASS KernelTmaWarpSpecialized2SmBlockScaledMxNvf4UltraVs32Sm103 (tcgen05_sustained)",
     "forced cluster 2x1", "0.000628", "7.058", "'Benchmark history': 'tcgen05 forced 2x1, along_m/2'"),
    ("ThunderKittens nvfp4_b300 sample", "config<256,4,8,4,1,...>, preferred cluster 4x1", "0.0005725", "7.74",
     "'2026-06-11 update', 'Final state of this session'"),
]


def tk_rows(columns: list[str]) -> pl.DataFrame:
    rows = [dict(hardware="B300 (HGX B300)", vendor_hardware_name="GB300/B300 (SM103)",
                 dtype="fp4_e2m1 (MXF4: UE8M0 scale per 32 elements, F32 accumulate)", M="8192", N="8192", K="33024",
                 layout="ABt, K-major", achieved_tflops=str(round(float(pf) * 1000.0, 1)), time_s=t, library=lib,
                 library_version=f"{var}; handoff of 2026-06", measurement_kind=(
                     "config sweep at one shape (kernel / launch-cluster variants)"),
                 source_url=TK, source_location=f"HANDOFF.md, {where}", trust="C", notes=TK_NOTE)
            for lib, var, t, pf, where in TK_ROWS]
    return pl.DataFrame(rows).select([pl.col(c) if c in rows[0] else pl.lit(None, pl.String).alias(c)
                                      for c in columns])


def name_mi355x(text: str) -> str:
    """Rows whose vendor name is an MI355X name the catalog's MI355X (a line edit: the csvs mix line ends)."""
    lines = text.splitlines(keepends=True)
    return "".join("MI355X," + ln[1:].replace(",yes,", ",,", 1)
                   if ln.startswith((",AMD MI355X,yes,", ",AMD Instinct MI355X,yes,")) else ln for ln in lines)


def blog_rows(columns: list[str]) -> pl.DataFrame:
    rows = [dict(hardware="MI355X", vendor_hardware_name="AMD Instinct MI355 (gfx950)", dtype=d, M=str(m), N=str(n),
                 K=str(k), achieved_tflops=t, library=f"Gluon (Triton) {kern} tutorial kernel, gfx950-gluon-tutorials",
                 library_version="blog of 2026-05-22 (pinned ROCm / Triton per its disclaimer)",
                 measurement_kind="version sweep at one shape (kernel versions v1..v10; the best version's result)",
                 source_url=BLOG, source_location=WHERE, trust="B", notes=NOTE.format(eff))
            for d, m, n, k, t, kern, eff in BLOG_ROWS]
    return pl.DataFrame(rows).select([pl.col(c) if c in rows[0] else pl.lit(None, pl.String).alias(c)
                                      for c in columns])


def main(kernels: Path = KERNELS) -> int:
    """Apply both steps to ``kernels`` (an r-kernels folder); the number of rows appended."""
    gemm_path, sm_path = kernels / "gemm.csv", kernels / "sm_count.csv"
    text = name_mi355x(gemm_path.read_bytes().decode())
    gemm = pl.read_csv(text.encode(), infer_schema_length=0)
    new = pl.concat([blog_rows(gemm.columns), tk_rows(gemm.columns)]).join(
        gemm, on=["source_url", "dtype", "M", "N", "K", "achieved_tflops"], how="anti")
    ending = "\r\n" if text.endswith("\r\n") else "\n"
    extra = new.write_csv(include_header=False, line_terminator=ending) if new.height else ""
    gemm_path.write_bytes((text + extra).encode())
    sm_path.write_bytes(name_mi355x(sm_path.read_bytes().decode()).encode())
    return new.height


if __name__ == "__main__":
    print(f"gemm.csv: +{main()} rows")
