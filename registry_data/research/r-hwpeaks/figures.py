"""Writes figures.csv: every figure read in this pass (part, field, value, unit, dense/sparse, url, paraphrase).
Run from the repository root: .venv/bin/python registry_data/research/r-hwpeaks/figures.py"""

from __future__ import annotations

import csv
from pathlib import Path

BLOG = "https://rocm.blogs.amd.com/software-tools-optimization/matrix-cores-cdna/README.html"
BLOG_SRC = ("https://github.com/ROCm/rocm-blogs/blob/74cb98764b82f321522ff469d5941f4555d0997b/blogs/"
            "software-tools-optimization/matrix-cores-cdna/README.md")
ROCM = "https://rocm.docs.amd.com/en/7.13.0-preview/reference/gpu-specs.html"
MLIR = "https://github.com/llvm/llvm-project/pull/171968"
CLANG = "https://github.com/llvm/llvm-project/pull/117233"
EX = "https://github.com/NVIDIA/exemplar-performance/blob/e249aa3c788284d1575379ccf73568c383d4c91e/README.md"
V60 = "https://github.com/mlcommons/inference_results_v6.0/blob/main/closed/{}"  # read in the local mirror @232fbf9

ROWS = [
    # part, field, value, unit, dense/sparse, url, paraphrase
    ("MI355X", "matrix_fp64", 78.6, "TFLOP/s", "dense", BLOG, "blog table MI355X column, Matrix FP64"),
    ("MI355X", "matrix_fp32", 157.3, "TFLOP/s", "dense", BLOG, "blog table, Matrix FP32, the 1x reference"),
    ("MI355X", "matrix_fp16", 2.5, "PFLOP/s", "dense", BLOG, "blog table, Matrix FP16, about 16x FP32"),
    ("MI355X", "matrix_fp8", 5, "PFLOP/s", "dense", BLOG, "blog table, Matrix FP8, about 32x FP32"),
    ("MI355X", "matrix_fp6", 10, "PFLOP/s", "dense", BLOG, "blog table, Matrix FP6, about 64x FP32"),
    ("MI355X", "matrix_fp4", 10, "PFLOP/s", "dense", BLOG, "blog table, Matrix FP4, about 64x FP32; applied as "
     "1.00663296e16 = 2*32*32*64 x 1024 cores x 2400 MHz / 32"),
    ("CDNA4", "mfma_32x32x64_f8f6f4_cycles_fp4", 32, "cycles", "dense", BLOG_SRC, "MFMA table: 32 cycles when "
     "neither input is FP8, 64 when one is; same for the MX (scaled) form"),
    ("CDNA4", "mfma_32x32x64_f8f6f4_cycles_fp8", 64, "cycles", "dense", BLOG_SRC, "MFMA table, FP8 input case"),
    ("CDNA4", "mfma_32x32x16_f16_cycles", 32, "cycles", "dense", BLOG_SRC, "MFMA table, new CDNA4 FP16/BF16 form"),
    ("CDNA4", "mfma_32x32x2_f32_cycles", 64, "cycles", "dense", BLOG_SRC, "MFMA table, FP32"),
    ("CDNA4", "peak_formula", "", "", "", BLOG_SRC, "peak TFLOP/s = 2*M*N*K x matrix cores x max engine clock "
     "(MHz) / cycles / 1e6; MI325X 32x32x8 FP16 example 1307.4"),
    ("CDNA4", "smfmac_source_types", "f16,bf16,i8,fp8", "", "sparse", MLIR, "MLIR AMDGPU SMFMACSparseInTypes: "
     "no FP6/FP4 type; scaled MFMA in-types include F6 and F4 (dense only)"),
    ("CDNA4", "smfmac_gfx950_builtins", "f16,bf16,i8,bf8/fp8", "", "sparse", CLANG, "clang "
     "BuiltinsAMDGPU.def, the gfx950 smfmac builtins in that diff: 32x32x32 bf16, 16x16x128 and 32x32x64 i8, "
     "16x16x128 bf8/fp8; no FP4/FP6"),
    ("MI355X", "vram", 288, "GiB", "", ROCM, "ROCm GPU specifications table (GiB column); 256 CUs (32 per XCD); "
     "L3 256 MiB; L2 32 MiB"),
    ("MI350X", "vram", 288, "GiB", "", ROCM, "same table, same figures as MI355X"),
    ("MI355X", "accelerator_memory_capacity", 288, "GB", "", V60.format("AMD/systems/8xMI355X_2xEPYC_9575F.json"),
     "AMD's MLPerf Inference v6.0 system description: 'AMD Instinct MI355X 288GB HBM3e', HBM3E"),
    ("MI350X", "accelerator_memory_capacity", 288, "GB", "", V60.format("MiTAC/systems/8xMI350X_2xEPYC-9755.json"),
     "MiTAC (OEM) v6.0 system description: 'AMD Instinct MI350X 288GB HBM3e'; Cisco's the same"),
    ("GB300 NVL72 GPU", "bf16", 2450, "TFLOP/s", "dense", EX, "exemplar table 'Peak Theoretical Throughput', "
     "non-sparse, used for MFU; 2 % below the rack datasheet / 72 (2500): not applied"),
    ("GB300 NVL72 GPU", "fp8", 4900, "TFLOP/s", "dense", EX, "same table; datasheet / 72: 5000; not applied"),
    ("GB300 NVL72 GPU", "nvfp4", 14700, "TFLOP/s", "dense", EX, "same table; datasheet / 72 and the Blackwell "
     "Ultra blog: 15000; not applied"),
    ("GB200 NVL72 GPU", "bf16", 2450, "TFLOP/s", "dense", EX, "same table; datasheet / 72: 2500; not applied"),
    ("GB200 NVL72 GPU", "fp8", 4900, "TFLOP/s", "dense", EX, "same table; datasheet / 72: 5000; not applied"),
    ("GB200 NVL72 GPU", "nvfp4", 9800, "TFLOP/s", "dense", EX, "same table; datasheet / 72: 10000; not applied"),
    ("B300 (HGX B300)", "bf16", 2250, "TFLOP/s", "dense", EX, "same table; equals the row"),
    ("B300 (HGX B300)", "fp8", 4500, "TFLOP/s", "dense", EX, "same table; equals the row"),
    ("B300 (HGX B300)", "nvfp4", 13500, "TFLOP/s", "dense", EX, "same table; equals the row (r-b300fp4's 108 PF / 8)"),
    ("B200 (HGX B200)", "bf16", 2250, "TFLOP/s", "dense", EX, "same table; equals the row"),
    ("B200 (HGX B200)", "fp8", 4500, "TFLOP/s", "dense", EX, "same table; equals the row"),
    ("B200 (HGX B200)", "nvfp4", 9000, "TFLOP/s", "dense", EX, "same table; equals the row"),
    ("B300 (HGX B300)", "memory", 270, "GB", "", EX, "B300 reference architecture: 8x B300 270 GB HBM3e"),
    ("B300 (HGX B300)", "tdp", 1100, "W", "", EX, "B300 reference architecture TDP"),
    ("B300 (HGX B300)", "memory_bandwidth", 7.7, "TB/s", "", EX, "per GPU"),
    ("B300 (HGX B300)", "nvlink", 1.8, "TB/s", "", EX, "NVLink 5 per GPU (bidirectional; the row's 900 GB/s per "
     "direction)"),
    ("B200 (HGX B200)", "memory", 180, "GB", "", EX, "B200 reference architecture: 8x B200 180 GB HBM3e"),
    ("B200 (HGX B200)", "tdp", 1000, "W", "", EX, "B200 reference architecture TDP"),
    ("B200 (HGX B200)", "memory_bandwidth", 7.7, "TB/s", "", EX, "per GPU"),
    ("GB300 NVL72 GPU", "memory", 279, "GB", "", EX, "GB300 reference architecture: 279 GB HBM3e per GPU"),
    ("GB300 NVL72 GPU", "tdp", 1400, "W", "", EX, "TDP configurable up to 1,400 W"),
    ("GB300 NVL72 GPU", "memory_bandwidth", 8, "TB/s", "", EX, "per GPU"),
    ("GB200 NVL72 GPU", "memory", 186, "GB", "", EX, "GB200 reference architecture: 186 GB HBM3e per GPU"),
    ("GB200 NVL72 GPU", "memory_bandwidth", 8, "TB/s", "", EX, "per GPU"),
    ("B300 (HGX B300)", "accelerator_memory_capacity", 270, "GB", "",
     V60.format("NVIDIA/systems/B300-SXM-270GBx8_TRT.json"), "NVIDIA's v6.0 system description; hw_notes "
     "'B300 TGP 1100W'"),
    ("B200 (HGX B200)", "accelerator_memory_capacity", 180, "GB", "",
     V60.format("NVIDIA/systems/B200-SXM-180GBx8_TRT.json"), "NVIDIA's v6.0 system description; 'B200 TGP 1000W'"),
    ("GB300 NVL72 GPU", "accelerator_memory_capacity", 288, "GB", "",
     V60.format("Lambda_SIT/systems/GB300-NVL72_GB300-288GB_aarch64x72_TRT.json"), "Lambda's (not NVIDIA's) v6.0 "
     "system: 'GB300-288GB', the installed HBM; the row keeps 278 GiB exposed (r-reg13c)"),
    ("RTX PRO 6000 Blackwell Server Edition", "accelerator_memory_capacity", 96, "GB", "",
     V60.format("Dell/systems/XE7745_RTXPro6000_PCIe_96GBx8_TRT.json"), "Dell (OEM) v6.0 system: GDDR7, hw_notes "
     "TGP 600W; its interconnect field (NVLink 14.4 TB/s) is a copy error for a PCIe card"),
]


def main() -> Path:
    out = Path(__file__).with_name("figures.csv")
    with out.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["part", "field", "value", "unit", "dense_sparse", "url", "paraphrase"])
        w.writerows(ROWS)
    return out


if __name__ == "__main__":
    print(main())
