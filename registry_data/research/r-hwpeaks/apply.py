"""The CDNA 4 parts' dense FP4 peaks and the Blackwell rows' NVIDIA cross-check in the hardware catalog (r-hwpeaks
README). Re-runnable and idempotent (a second run changes nothing); run from the repository root, then regenerate the
kernel catalog:

    .venv/bin/python registry_data/research/r-hwpeaks/apply.py [registry_dir]
    .venv/bin/python -m pipeline.validation.gemm_fit

``MI355X`` / ``MI350X``: ``peak_fp4_flop_per_s`` [FLOP/s] from AMD's ROCm blog "Matrix Core Programming on AMD
CDNA3 and CDNA4 architecture" (AMD authors and copyright, 30 Sep 2025): its peak formula
2*M*N*K * matrix cores * clock / cycles and its MFMA table, where V_MFMA(_SCALE)_F32_32X32X64_F8F6F4 takes 32 cycles
with FP4/FP6 inputs and 64 with an FP8 input; the same table's MI355X column states Matrix FP4 and FP6 10 PF, FP8
5 PF, FP16 2.5 PF, FP32 157.3 TF. 1,024 matrix cores (256 CUs x 4) at the row's clock: 2.4 GHz (MI355X; the
blog's 157.3 TF FP32 from 32x32x2 at 64 cycles fixes it), 2.2 GHz (MI350X, the row's news-report clock). Dense:
MFMA is the dense instruction family; CDNA 4's sparse family (SMFMAC) takes f16, bf16, i8 and fp8 only (LLVM's
AMDGPU dialect and clang builtins), so no FP4/FP6 sparse rate exists. The Blackwell rows get one dated sentence:
NVIDIA's exemplar-performance README ('Peak Theoretical Throughput', non-sparse) against each row; no figure
changes there (GB200 / GB300 differ by 2 %, recorded, not applied: README).
"""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl

from pipeline.catalogs.io import read_catalog, write_catalog
from pipeline.catalogs.paths import bundled_registry

TAG = "2026-12-07 (r-hwpeaks)"
BLOG = ("https://rocm.blogs.amd.com/software-tools-optimization/matrix-cores-cdna/README.html (ROCm/rocm-blogs "
        "@74cb9876 blogs/software-tools-optimization/matrix-cores-cdna/README.md, read)")
EXEMPLAR = ("https://github.com/NVIDIA/exemplar-performance/blob/e249aa3c788284d1575379ccf73568c383d4c91e/README.md"
            " ('Peak Theoretical Throughput', added 2026-03-23 in 80634ad, read)")
MATRIX_CORES = 256 * 4  # 256 CUs (ROCm GPU specifications table) x 4 matrix cores each
F4_32X32X64 = 2 * 32 * 32 * 64 / 32  # FLOP per matrix core per clock: 32x32x64 MFMA, 32 cycles with FP4 inputs
CLOCK_HZ = {"MI355X": 2.4e9, "MI350X": 2.2e9}
PEAK_FP4 = {name: F4_32X32X64 * MATRIX_CORES * clock for name, clock in CLOCK_HZ.items()}

_DENSE = (
    "Dense: MFMA is CDNA 4's dense family; its sparse family (SMFMAC) takes f16, bf16, i8 and fp8 sources only "
    "(LLVM MLIR AMDGPU.td SMFMACSparseInTypes, https://github.com/llvm/llvm-project/pull/171968; clang "
    "BuiltinsAMDGPU.def gfx950 smfmac builtins, https://github.com/llvm/llvm-project/pull/117233), so the press "
    "figure '20 PF FP4/FP6 with sparsity' has no instruction behind it and AMD's 10 PF is the dense rate.")
NOTES = {
    "MI355X": (
        f"{TAG}: peak_fp4_flop_per_s null -> 1.00663296e16 (10.07 PF dense) from AMD's ROCm blog 'Matrix Core "
        f"Programming on AMD CDNA3 and CDNA4 architecture' ({BLOG}): its MI355X table states Matrix FP4 and FP6 "
        "10 PF, FP8 5 PF, FP16 2.5 PF, FP32 157.3 TF, FP64 78.6 TF, and its MFMA table gives 32x32x64 F8F6F4 32 "
        "cycles with FP4/FP6 inputs, 64 with an FP8 input; with its formula 2*M*N*K * 1,024 matrix cores * 2,400 MHz "
        "/ 32 = 10,066 TFLOPS (the 2.4 GHz is the one clock that gives the blog's 157.3 TF FP32 from 32x32x2 at 64 "
        "cycles; FP8 and FP16 the same way give this row's 5.03 and 2.52 PF, now traced to AMD). " + _DENSE
        + " INT8 (5 POPS, news reports) not in the blog: not changed. The row stays source_quality secondary "
        "(INT8, bandwidth, TBP and the Infinity Fabric figures are still read through news reports); last_verified "
        "does not move (r-reg13's rule for a secondary row)."),
    "MI350X": (
        f"{TAG}: peak_fp4_flop_per_s null -> 9.2274688e15 (9.23 PF dense): CDNA 4's FP4 MFMA rate from AMD's ROCm "
        f"blog ({BLOG}: 32x32x64 F8F6F4 in 32 cycles with FP4 inputs, twice the FP8 rate of 64 cycles) x 1,024 "
        "matrix cores x this row's 2.2 GHz (a news report's clock, as its other peaks) = 2 x this row's FP8. "
        + _DENSE + " The row stays source_quality secondary: no AMD document states the MI350X clock or peaks; "
        "last_verified does not move (r-reg13's rule)."),
}
_EX = f"{TAG}: NVIDIA's exemplar-performance README ({EXEMPLAR}), non-sparse per-GPU MFU peaks: "
CROSS_CHECKS = {
    "B200 (HGX B200)": _EX + (
        "B200 BF16 2,250, FP8 4,500, NVFP4 9,000 TFLOPS, and its B200 reference system '8x B200 180 GB HBM3e', "
        "'TDP: 1000 W', '7.7 TB/s per GPU', NVLink 1.8 TB/s per GPU: all equal this row, now traced to an NVIDIA "
        "document read directly. FP32, TF32 and INT8 are not in it; the row stays secondary."),
    "B300 (HGX B300)": _EX + (
        "B300 BF16 2,250, FP8 4,500, NVFP4 13,500 TFLOPS (non-sparse: the 13.5 PF r-b300fp4 read through copies), "
        "and its B300 reference system '8x B300 270 GB HBM3e', 'TDP: 1100 W', '7.7 TB/s per GPU', NVLink 1.8 TB/s "
        "per GPU; NVIDIA's MLPerf Inference v6.0 system description (closed/NVIDIA/systems/B300-SXM-270GBx8_TRT.json,"
        " /work/.mirror/gbeezybez+inference_results_v6.0 @232fbf9) states '270 GB' and 'B300 TGP 1100W'. All equal "
        "this row. FP32, TF32 and INT8 are not in either; the row stays secondary."),
    "GB200 NVL72 GPU": _EX + (
        "GB200 BF16 2,450, FP8 4,900, NVFP4 9,800 TFLOPS, 2 % below this row's 2.5, 5 and 10 PF (the NVL72 rack "
        "datasheet / 72). Not applied: the datasheet is the product specification and its rack figures are read "
        "through transcriptions here; the two NVIDIA documents disagree by 2 % (r-hwpeaks README). Its reference "
        "system's '186 GB HBM3e per GPU' and '8 TB/s per GPU' equal this row."),
    "GB300 NVL72 GPU": _EX + (
        "GB300 BF16 2,450, FP8 4,900, NVFP4 14,700 TFLOPS, 2 % below this row's 2.5, 5 and 15 PF (rack / 72; 15 PF "
        "dense NVFP4 is also NVIDIA's Blackwell Ultra blog's). Not applied (r-hwpeaks README). Its reference system's "
        "'TDP configurable up to 1,400 W' and '8 TB/s per GPU' equal this row; its '279 GB HBM3e per GPU' is the "
        "rack's 20 TB / 72 that r-reg13c read as 278 GiB exposed (not changed). FP32 and INT8 are not in it: still "
        "null."),
}


def with_peaks(hardware: pl.DataFrame) -> pl.DataFrame:
    """``hardware`` with the CDNA 4 FP4 peaks and every row's dated sentence (once); ``last_verified`` stays: every
    row is still secondary (r-reg13's rule, tests/catalogs/test_r_reg13e.py)."""
    for name in [*NOTES, *CROSS_CHECKS]:
        if hardware.filter(pl.col("name") == name).height != 1:
            raise ValueError(f"hardware: expected one row named {name!r} (column name)")
    notes = pl.DataFrame({"name": [*NOTES, *CROSS_CHECKS], "add": [*NOTES.values(), *CROSS_CHECKS.values()]})
    fp4 = pl.DataFrame({"name": list(PEAK_FP4), "fp4": list(PEAK_FP4.values())})
    out = hardware.join(notes, on="name", how="left").join(fp4, on="name", how="left")
    new = pl.col("add").is_not_null() & ~pl.col("notes").fill_null("").str.contains(TAG, literal=True)
    return out.with_columns(
        pl.coalesce("fp4", "peak_fp4_flop_per_s").alias("peak_fp4_flop_per_s"),
        pl.when(new).then(pl.concat_str(pl.col("notes"), pl.lit(" | "), pl.col("add")))
        .otherwise(pl.col("notes")).alias("notes")).select(hardware.columns)


def main(registry: Path) -> None:
    before = read_catalog("hardware", registry)
    after = with_peaks(before)
    if not after.equals(before):
        print(write_catalog(after, "hardware", registry, source=f"{registry}/hardware.parquet (r-hwpeaks)"))


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else bundled_registry())
