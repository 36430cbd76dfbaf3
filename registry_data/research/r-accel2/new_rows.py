"""Issue 13 item 1 (accelerators, second pass): new `hardware` and `clusters` rows and three note/cell
patches, applied to a `mlsys catalog export` of the two tables. Idempotent: a row whose name exists
is left alone, a patch whose note is already in the row changes nothing, so it can be replayed on main
after other helpers merged.

Run (from the repository root):
    mlsys catalog export --csv /tmp/cat --table hardware
    mlsys catalog export --csv /tmp/cat --table clusters
    python registry_data/research/r-accel2/new_rows.py /tmp/cat registry_data/research/r-accel2
    mlsys catalog import --csv registry_data/research/r-accel2/hardware.csv --table hardware
    mlsys catalog import --csv registry_data/research/r-accel2/clusters.csv --table clusters
    python -m pipeline.validation.gemm_fit
Every figure is in its row's notes with where it was read and how anything was derived.
"""
import csv
import sys
from pathlib import Path

GIB = 1024 ** 3
MIB = 1024 ** 2
TODAY = "2026-12-03"
NCCL_ALPHA = (" | scaleup_link_latency_s 0.6 us: NCCL hwLat[NVLINK][RING][LL], the value and rationale of the other NVLink rows "
              "(https://github.com/NVIDIA/nccl/blob/b6475625fbcaa2c3c0e50eed2fa1255d7514d4a2/src/graph/tuning.cc).")
RTX_BW_WP = "https://images.nvidia.com/aem-dam/Solutions/geforce/blackwell/nvidia-rtx-blackwell-gpu-architecture.pdf"
RTX_PRO_WP = ("https://www.nvidia.com/content/dam/en-zz/Solutions/design-visualization/quadro-product-literature/"
              "NVIDIA-RTX-Blackwell-PRO-GPU-Architecture-v1.0.pdf")
GA102_WP = ("https://images.nvidia.com/aem-dam/en-zz/Solutions/geforce/ampere/pdf/"
            "NVIDIA-ampere-GA102-GPU-Architecture-Whitepaper-V1.pdf")
V100_DS = "https://images.nvidia.com/content/technologies/volta/pdf/volta-v100-datasheet-update-us-1165301-r5.pdf"
# Transcriptions read in this session (the vendor PDFs themselves are not in the search corpus).
T_TABLE3 = ("a transcription of the RTX Blackwell whitepaper's Appendix A Table 3 ('GeForce RTX 5090 vs GeForce RTX 4090 vs "
            "GeForce RTX 3090 Specs', printed pages 46-48) in two public hardware notes found by exact-string search "
            "(search-index ids 68387635605, 69682362331 and 69880469454; the index gives no repository path)")
T_GPUMAP = "https://github.com/lamonoai/gpumap/blob/8d5e174f6f25a520db1ada126d4c1fa5c5eb6df9/nvidia/GPU.md"
PCIE4 = "PCIe Gen4 x16 64 GB/s bidirectional -> 32 GB/s per direction"
PCIE5 = "PCIe Gen5 x16: 64 GB/s per direction derived from the standard (32 GT/s x 16 lanes), as the RTX PRO 6000 row"

HARDWARE = [
    dict(
        name="RTX 5090", vendor="NVIDIA", family="nvidia-blackwell", category="workstation", release_year=2025,
        source_url=RTX_BW_WP,
        notes=("GeForce card (GB202, 170 SMs, boost 2,407 MHz). NVIDIA RTX Blackwell whitepaper Table 3, read via " + T_TABLE3 +
               ": Peak BF16 Tensor TFLOPS with FP32 Accumulate 209.5/419 (dense/sparse; footnote 2 'Effective TOPS / TFLOPS "
               "using the Sparsity Feature'), Peak FP8 Tensor with FP32 Accumulate 419/838 (id 69880469454), Peak FP4 Tensor with FP32 Accumulate "
               "1676/3352 (the card's '3352 AI TOPS' is the sparse FP4 figure); board power 575 W; 32 GB GDDR7, 1,792 GB/s. "
               "Columns use the FP32-accumulate dense rates, as the RTX 4090 row (GeForce FP16/FP8 run at 2x with FP16 "
               "accumulate). FP16 with FP32 accumulate = the BF16 209.5 (same row of the table per " + T_GPUMAP + ", which "
               "lists FP16 Tensor (FP32 acc) 210 | 419). INT8 838 dense (gpumap 838 | 1,676; = 4 x 209.5, the Ada/Ampere "
               "INT8:FP16-FP32acc ratio of the RTX 4090 row). TF32 104.75 = gpumap 105 | 210. FP32 DERIVED 2 x 21,760 "
               "CUDA cores (gpumap; = 170 SMs x 128) x 2.407 GHz boost (Table 3 via id 69682362331) = 104.75 TF. "
               "FP4 dense 1,676 is NOT gpumap's 838 (that table halves the already-dense figure). Memory 32 GB read as "
               "32 GiB (GDDR7 is built in binary sizes, like the RTX 4090 row). L2 96 MB vs 98 MB in the sources -> null. "
               "No NVLink: domain 1. Host " + PCIE5 + ". release_year: 2025 (GeForce RTX 50 series)."),
        peak_fp32=2 * 21760 * 2.407e9, peak_tf32=2 * 21760 * 2.407e9, peak_fp16=209.5e12, peak_bf16=209.5e12,
        peak_fp8=419e12, peak_int8=838e12, peak_fp4=1676e12, mem=32 * GIB, bw=1.792e12, sram=None, link=None,
        alpha=None, domain=1, host=64e9, tdp=575.0),
    dict(
        name="RTX 3090", vendor="NVIDIA", family="nvidia-ampere", category="workstation", release_year=2020,
        source_url=RTX_BW_WP,
        notes=("GeForce card (GA102). NVIDIA RTX Blackwell whitepaper Table 3 (RTX 3090 column), read via " + T_TABLE3 +
               ": Peak BF16 Tensor TFLOPS with FP32 Accumulate 71.2/142.4 (dense/sparse), 24 GB, 936 GB/s, 350 W board "
               "power. FP16 with FP32 accumulate 71 TFLOPS and FP32 (non-Tensor) 35.6 TFLOPS as the GA102 whitepaper prints "
               "them (" + GA102_WP + ", transcribed in public notes found by exact-string search: 'Peak FP16 Tensor TFLOPS "
               "with FP32 Accumulate: 71 TFLOPS', 'Peak FP32 TFLOPS (non-Tensor): 35.6'); FP16 column = 71.2, the BF16 "
               "figure of the same table. TF32 and INT8 not read -> null. No FP8/FP4 (Ampere). 24 GB GDDR6X read as 24 GiB "
               "(like the RTX 4090 row). NVLink bridge (2-way) exists on this card but no vendor bandwidth was read -> "
               "domain 1, link null. Host " + PCIE4 + " (PCIe 4.0 x16, derived as the RTX 4090 row). release_year 2020 "
               "(Lambda's GPU table https://huggingface.co/spaces/lambdabrendan/Lambda-LLM-Calculator/blob/main/data/gpu_specs.csv: "
               "'GeForce RTX 3090,GA102,\"Sep 1st, 2020\"')."),
        peak_fp32=35.6e12, peak_tf32=None, peak_fp16=71.2e12, peak_bf16=71.2e12, peak_fp8=None, peak_int8=None,
        peak_fp4=None, mem=24 * GIB, bw=936e9, sram=None, link=None, alpha=None, domain=1, host=32e9, tdp=350.0),
    dict(
        name="RTX A6000", vendor="NVIDIA", family="nvidia-ampere", category="workstation", release_year=2020,
        source_url=GA102_WP,
        notes=("Professional card (GA102). NVIDIA Ampere GA102 whitepaper Table 3 (A6000 column), read via a public note "
               "quoting it (search-index id 66603391093): 'Peak BF16 Tensor TFLOPS with FP32 Accumulate 154.8/309.6' "
               "(dense/sparse) -> BF16 154.8; FP16 = 154.8 too (gpumap's A6000 column: FP16 Tensor with FP32 accumulate 155 | 310, the BF16 rate). "
               "From the A6000 column of " + T_GPUMAP + " (a transcription of NVIDIA's datasheets): FP32 38.7 TF, TF32 "
               "77.4 | 155, INT8 310 | 619 (INT8 stored as 2 x 154.8 = 309.6, within gpumap's rounding), 48 GB GDDR6, "
               "768 GB/s, 300 W, NVLink supported. 48 GB read as 48 GiB (GDDR6 binary-sized, like the L40S row). NVLink "
               "(2-way bridge) bandwidth not read for this card -> domain 1, link null. Host " + PCIE4 + ". "
               "release_year 2020 (Lambda's GPU table, as the RTX 3090 row: 'RTX A6000,GA102,\"Oct 5th, 2020\"')."),
        peak_fp32=38.7e12, peak_tf32=77.4e12, peak_fp16=154.8e12, peak_bf16=154.8e12, peak_fp8=None,
        peak_int8=2 * 154.8e12, peak_fp4=None, mem=48 * GIB, bw=768e9, sram=None, link=None, alpha=None, domain=1,
        host=32e9, tdp=300.0),
    dict(
        name="RTX 6000 Ada", vendor="NVIDIA", family="nvidia-ada", category="workstation", release_year=2022,
        source_url=RTX_PRO_WP,
        notes=("Professional card (AD102). NVIDIA RTX PRO Blackwell whitepaper Table 4 (RTX 6000 Ada column, printed pages "
               "45-47), read via a public note quoting it (search-index id 68387635605): BF16 with FP32 accumulation 364 "
               "dense / 728 sparse; 48 GB, 960 GB/s, 300 W. From the RTX 6000 Ada column of " + T_GPUMAP + ": FP32 91.1, "
               "TF32 182 | 364, FP16 (FP32 acc) 364 | 728, FP8 728 | 1,457, INT8 728 | 1,457 (dense | sparse; dense used). "
               "48 GB GDDR6 read as 48 GiB (like the L40S row). No NVLink: domain 1. Host " + PCIE4 + ". L2 not read -> "
               "null. release_year 2022 (Ada generation launch; year as commonly reported)."),
        peak_fp32=91.1e12, peak_tf32=182e12, peak_fp16=364e12, peak_bf16=364e12, peak_fp8=728e12, peak_int8=728e12,
        peak_fp4=None, mem=48 * GIB, bw=960e9, sram=None, link=None, alpha=None, domain=1, host=32e9, tdp=300.0),
    dict(
        name="RTX PRO 6000 Blackwell Server Edition", vendor="NVIDIA", family="nvidia-blackwell", category="datacenter",
        release_year=2025,
        source_url="https://www.nvidia.com/en-us/data-center/rtx-pro-6000-blackwell-server-edition/",
        notes=("Passive server card (not the Workstation Edition row). NVIDIA's December 2025 datasheet (page 3, "
               "https://dam-cdn.nvd.orangelogic.com/AssetLink/707m1632ypg4du1fj3ci1jo3h4w1k78j.pdf) as quoted by a public "
               "hardware note (search-index id 68387635605): 96 GB, 1,597 GB/s, 120 FP32 TFLOPS, configurable power up to "
               "600 W; the datasheet omits BF16, and the product page's '1 PFLOP FP16/BF16' has no sparsity qualifier "
               "-> every tensor peak left null (not derived from the Workstation Edition). 96 GB GDDR7 read as 96 GiB "
               "(like the Workstation row). No NVLink: domain 1. Host " + PCIE5 + "."),
        peak_fp32=120e12, peak_tf32=None, peak_fp16=None, peak_bf16=None, peak_fp8=None, peak_int8=None, peak_fp4=None,
        mem=96 * GIB, bw=1.597e12, sram=None, link=None, alpha=None, domain=1, host=64e9, tdp=600.0),
    dict(
        name="A40", vendor="NVIDIA", family="nvidia-ampere", category="datacenter", release_year=2020,
        source_url="https://images.nvidia.com/content/Solutions/data-center/a40/nvidia-a40-datasheet.pdf",
        notes=("NVIDIA A40 datasheet, read via its reseller transcription https://www.ecer.com/corp/details-uuuedqa-p1bsay9-"
               "multi-display-setups-supported-by-48gb-gddr6-ecc-memory-nvidia-a40-gpu-and-vga-outputs.html (dense | "
               "sparse*): FP32 37.4 TF; TF32 74.8 | 149.6; BF16 with FP32 accumulate 149.7 | 299.4; FP16 Tensor with FP16 "
               "accumulate 149.7 | 299.4 (FP32-accumulate FP16 = 150 in " + T_GPUMAP + "); INT8 299.3 | 598.6; 48 GB GDDR6 "
               "with ECC, 696 GB/s; NVLink 112.5 GB/s bidirectional (2-way bridge); PCIe Gen4 64 GB/s; max power 300 W. "
               "Dense used. 48 GB read as 48 GiB (like the L40S row). NVLink 112.5 GB/s bidirectional -> 56.25 GB/s per "
               "direction, domain 2 (bridged pair; 1 without the bridge), as the A100 PCIe row. " + PCIE4 + ". "
               "release_year 2020 (Lambda's GPU table, as the RTX 3090 row: 'A40 PCIe,GA102,\"Oct 5th, 2020\"')." + NCCL_ALPHA),
        peak_fp32=37.4e12, peak_tf32=74.8e12, peak_fp16=149.7e12, peak_bf16=149.7e12, peak_fp8=None, peak_int8=299.3e12,
        peak_fp4=None, mem=48 * GIB, bw=696e9, sram=None, link=56.25e9, alpha=6e-7, domain=2, host=32e9, tdp=300.0),
    dict(
        name="A30", vendor="NVIDIA", family="nvidia-ampere", category="datacenter", release_year=2021,
        source_url="https://www.nvidia.com/en-us/data-center/products/a30-gpu/",
        notes=("NVIDIA A30 datasheet/product page, read via transcriptions: a GPU comparison note citing that page "
               "(search-index id 35069251731: FP32 10.3 TF, BF16 and FP16 Tensor Core 165 TF, INT8 330 TOPS, INT4 661, 24 GB "
               "HBM2, 933 GB/s, PCIe Gen4 64 GB/s, NVLink 200 GB/s, 165 W) and " + T_GPUMAP + " (dense | sparse: TF32 82.6 | "
               "165, FP16/BF16 165 | 330, INT8 330 | 661, 933 GB/s, 165 W). Dense used; TF32 = 165/2 = 82.5 (NVIDIA prints "
               "'165 TF*' with sparsity). 24 GB HBM2 read as 24 GiB (HBM is built in binary sizes). Third-generation NVLink "
               "200 GB/s bidirectional (2-way bridge) -> 100 GB/s per direction, domain 2 (bridged pair). " + PCIE4 + ". "
               "L2 not read -> null. release_year 2021 (https://huggingface.co/hardware/a30: 'Released 2021')." + NCCL_ALPHA),
        peak_fp32=10.3e12, peak_tf32=82.5e12, peak_fp16=165e12, peak_bf16=165e12, peak_fp8=None, peak_int8=330e12,
        peak_fp4=None, mem=24 * GIB, bw=933e9, sram=None, link=100e9, alpha=6e-7, domain=2, host=32e9, tdp=165.0),
    dict(
        name="V100 PCIe 16GB", vendor="NVIDIA", family="nvidia-volta", category="datacenter", release_year=2017,
        source_url=V100_DS,
        notes=("V100 datasheet, PCIe column (the SXM2 rows cite the same PDF; the PDF itself not opened in this session), "
               "read via two transcriptions: a cluster spec table (search-index id 95878352: V100 PCIe, 16 GB HBM2, 900 "
               "GB/s, single precision 14 TFLOPS, 'Tensor Performance (Deep Learning) 112 TFLOPS', TDP 250 W, L2 6 MB) and a "
               "procurement note that read NVIDIA's V100 page and product brief (id 61432592854: 'NVIDIA binds the standard "
               "V100 PCIe to 112 TFLOPS deep-learning arithmetic and 900 GB/s HBM ... the product brief binds the 250-W "
               "passive dual-slot form'). Tensor 112 TF is FP16 in / FP32 accumulate (Volta has no sparsity: dense). No "
               "TF32/BF16/FP8/INT8 tensor rates. 16 GB read as 16 GiB like the SXM2 rows; L2 6 MiB (GV100, as the SXM2 "
               "rows). No NVLink on the PCIe card: domain 1. Host PCIe Gen3 x16 32 GB/s bidirectional -> 16 GB/s per "
               "direction (the SXM2 rows' datasheet reading). release_year 2017 (GTC 2017 announcement of the PCIe cards)."),
        peak_fp32=14e12, peak_tf32=None, peak_fp16=112e12, peak_bf16=None, peak_fp8=None, peak_int8=None, peak_fp4=None,
        mem=16 * GIB, bw=900e9, sram=6 * MIB, link=None, alpha=None, domain=1, host=16e9, tdp=250.0),
    dict(
        name="MI210", vendor="AMD", family="amd-cdna2", category="datacenter", release_year=2022,
        source_url="https://rocm.docs.amd.com/en/latest/reference/gpu-specs.html",
        notes=("PCIe card, CDNA2 gfx90a, one GCD. ROCm GPU specifications table (copy read in this session: "
               "https://github.com/steqeq/0000/blob/228168966daa137fe82168e4fde4f97bb242360f/docs/conceptual/gpu-arch/gpu-arch-info.rst, "
               "a fork of the ROCm docs source): "
               "VRAM 64 GiB, 104 CUs, L2 8 MiB (no L3) -> sram 8 MiB. AMD MI210 datasheet 'Key Features' table as transcribed "
               "in https://github.com/bytedance/ByteMLPerf/blob/7d9e6ec8e484d430d1cb939d3c494b31759c6c15/byte_mlperf/backends/MIGRAPHX/README.md: Peak FP64/FP32 "
               "Vector 22.6 TF, Peak FP64/FP32 Matrix 45.3 TF (matrix used, as the MI250X row), Peak FP16/BF16 181.0 TF, "
               "Peak INT4/INT8 181.0 TOPS, 64 GB HBM2e, 4,096-bit, up to 1.6 TB/sec, up to 3 Infinity Fabric links, "
               "coherency in dual or quad hives. CDNA2 has no sparsity: dense. No TF32/FP8/FP4. Scale-up: quad hive -> "
               "domain 4; per-link bandwidth not read -> link null (as the MI300A row). TDP and host link not read -> null. "
               "release_year 2022 (launch year as commonly reported; not read from AMD)."),
        peak_fp32=45.3e12, peak_tf32=None, peak_fp16=181.0e12, peak_bf16=181.0e12, peak_fp8=None, peak_int8=181.0e12,
        peak_fp4=None, mem=64 * GIB, bw=1.6e12, sram=8 * MIB, link=None, alpha=None, domain=4, host=None, tdp=None),
    dict(
        name="Jetson AGX Thor (T5000)", vendor="NVIDIA", family="nvidia-blackwell", category="edge", release_year=2025,
        source_url="https://developer.nvidia.com/blog/introducing-nvidia-jetson-thor-the-ultimate-platform-for-physical-ai/",
        notes=("Jetson T5000 module (the AGX Thor Developer Kit's). NVIDIA Jetson Thor product page as quoted verbatim in "
               "two public notes (search-index ids 59112111955 and 69721691754, the latter a table of the page): AI "
               "performance '2070 TFLOPS (FP4—Sparse)', GPU 2560-core Blackwell with fifth-gen Tensor Cores, max 1.57 GHz, "
               "'128 GB 256-bit LPDDR5X | 273 GB/s', power 40 W-130 W; the Ultralytics Jetson guide's copy of NVIDIA's "
               "comparison table (https://github.com/ultralytics/ultralytics/blob/main/docs/en/guides/nvidia-jetson.md, the version with "
               "the AGX Thor column) agrees (2070 TFLOPS, 128GB 256-bit LPDDR5X 273GB/s). Dense FP4 = 2,070 / 2 = 1,035 TFLOPS (NVIDIA's "
               "sparsity footnote, the rule of the DGX Spark row). FP8: RidgeRun's copy of the module table (https://developer.ridgerun.com/wiki/index.php/NVIDIA_Jetson_AGX_Thor/"
               "Introduction/SoM_Overview) prints "
               "'2070 FP4 TFLOPS / 1035 FP8 TFLOPS' without saying dense or sparse -> null. Other peaks not published -> "
               "null. 128 GB read as 128 GiB (LPDDR is binary-sized). tdp_w = the module's 130 W maximum. GPU L2 32 MiB is "
               "reported by a user's cudaDeviceProp query on the NVIDIA forum (https://forums.developer.nvidia.com/t/clarification-"
               "on-cuda-core-and-tensor-core-counts-for-jetson-agx-thor/356355), not by NVIDIA -> sram null. SoC: no NVLink, "
               "domain 1; no host link. release_year 2025 (dev kit and T5000 GA August 2025 per https://blog.us.fixstars.com/?p=1855)."),
        peak_fp32=None, peak_tf32=None, peak_fp16=None, peak_bf16=None, peak_fp8=None, peak_int8=None, peak_fp4=1035e12,
        mem=128 * GIB, bw=273e9, sram=None, link=None, alpha=None, domain=1, host=None, tdp=130.0),
    dict(
        name="Jetson Orin Nano Super 8GB", vendor="NVIDIA", family="nvidia-ampere", category="edge", release_year=2024,
        source_url="https://www.nvidia.com/en-us/autonomous-machines/embedded-systems/jetson-orin/nano-super-developer-kit/",
        notes=("Jetson Orin Nano Super Developer Kit (8 GB module at the 25 W 'super' mode). NVIDIA's page and comparison "
               "table as copied in the Ultralytics Jetson guide (https://github.com/ultralytics/ultralytics/blob/main/docs/"
               "en/guides/nvidia-jetson.md): AI Performance 67 TOPS, GPU 1024-core Ampere with 32 Tensor Cores at 1020 MHz, "
               "'8GB 128-bit LPDDR5 102 GB/s'; a note that re-read the NVIDIA product page quotes '8GB 128-bit LPDDR5 102 "
               "GB/s' (search-index id 65859355101); power 7 W-25 W configurable (a kit spec copy, search-index id 69262610226). Orin Nano has no DLA, so the 67 TOPS "
               "are the GPU's; Orin TOPS are sparse INT8 (the Jetson AGX Orin row's technical brief) -> dense INT8 = "
               "67 / 2 = 33.5 TOPS. FP16/BF16/FP32 not published -> null (no FP16 estimate derived, unlike the AGX Orin row). "
               "8 GB read as 8 GiB (LPDDR binary-sized). tdp_w 25 W. SoC: domain 1, no host link. release_year 2024 "
               "(the 'Super' mode and kit launch; year as commonly reported, not read from NVIDIA)."),
        peak_fp32=None, peak_tf32=None, peak_fp16=None, peak_bf16=None, peak_fp8=None, peak_int8=33.5e12, peak_fp4=None,
        mem=8 * GIB, bw=102e9, sram=None, link=None, alpha=None, domain=1, host=None, tdp=25.0),
]

# Patches of existing rows: (row, {key: value}, note appended once). Only cells a source read here states.
PATCHES = [
    ("RTX PRO 6000 Blackwell", {"peak_bf16": 503.8e12},
     " | 2026-12-03 (r-accel2): peak_bf16 503.8 TFLOPS dense = 'BF16 with FP32 accumulation' of the Workstation Edition in "
     "NVIDIA's RTX PRO Blackwell whitepaper Table 4 (" + RTX_PRO_WP + "), read via a public note quoting that table "
     "(search-index id 68387635605: 503.8 dense; the same table gives RTX 6000 Ada 364 dense / 728 sparse). FP16/FP8 still "
     "not read -> null. The note also confirms 96 GB, 1,792 GB/s and 600 W of this row."),
    ("H200 NVL 141GB", {},
     " | 2026-12-03 re-check (r-accel2): NVIDIA's H200 page and the H200 NVL product brief are still not reachable here "
     "(not in the docs/pages corpora, no network), so last_verified does not move for the NVIDIA figures and they stay "
     "unverified from a primary source. Cross-checks read: an H200 NVL server's user documentation (search-index id "
     "57373422155) reports a 600 W power cap, nvidia-smi ~143771 MiB and that BF16/FP16 dense matmul 'tops out around ~836 TFLOP/s empirically', which "
     "agrees with this row's 600 W and 835.5 dense (not with the 989 dense of the SXM part); gpumap's H200 NVL column "
     "(" + T_GPUMAP + ") repeats the SXM compute and is not used. No cell changed."),
    ("V100 SXM2 16GB", {},
     " | 2026-12-03 re-check (r-accel2): the datasheet PDF is still not in the search corpora. Read instead: NVIDIA's "
     "'Programming Tensor Cores in CUDA 9' page (https://developer.nvidia.com/programming-tensor-cores-cuda-9-0: Tesla V100's "
     "Tensor Cores 'can deliver up to 125 Tensor TFLOPS'), which confirms peak_fp16; the GTC 2017 GV100 table as republished "
     "(https://www.techrival.com/nvidia-volta-tesla-v100-cards-detailed-150w-single-slot-300w-dual-slot-gv100-powered-pcie-"
     "accelerators/: 16 GB HBM2, 4096-bit, L2 6144 KB) confirms the 16 GB and the 6 MiB L2 (its 15/120 TFLOPS are the "
     "pre-launch 1455 MHz figures, superseded by the datasheet's 15.7/125). No cell changed."),
]

CLUSTERS = [
    dict(
        name="Google Cloud TPU7x Ironwood pod (9216 chips)", accelerator="TPU v7 (Ironwood)", per_node=4, nodes=2304,
        domain=9216, fabric="TPU ICI (3D torus via OCS) + DCN", nic_bps=None, nics=2, latency=None, oversub=None,
        source_url="https://docs.cloud.google.com/tpu/docs/tpu7x",
        notes=("Google Cloud TPU7x page (read in this session): 'a 9,216-chip footprint per Pod', spec table 'Number of chips "
               "per pod 9216' (the hardware row's domain). GKE's Ironwood page (https://docs.cloud.google.com/kubernetes-"
               "engine/docs/concepts/tpu-ironwood, read): 'each Ironwood (TPU7x) VM contains 4 chips and 2 NICs' -> "
               "accelerators_per_node 4, nics_per_node 2; nodes = 9216 / 4 = 2,304 hosts (derived). Per-NIC / per-chip DCN "
               "bandwidth not read for TPU7x (the table rows after HBM capacity were cut off in the excerpts) -> "
               "nic_bandwidth null. Storage, latency, MTBF unpublished -> empty. | scaleout_latency_s left empty: as the "
               "other TPU pod rows, no public per-message DCN latency for Cloud TPU.")),
    dict(
        name="AWS Trn3 Gen2 UltraServer (144 Trainium3)", accelerator="Trainium3", per_node=4, nodes=36, domain=144,
        fabric="NeuronSwitch-v1 + EFA", nic_bps=800e9, nics=1, latency=None, oversub=None,
        source_url=("https://github.com/aws-neuron/aws-neuron-sdk/blob/6e694cbbfa4284d68096226c9c0864c5c3f30f97/"
                    "about-neuron/arch/neuron-hardware/trn3-arch.rst"),
        notes=("AWS Neuron 'Amazon EC2 Trn3 Architecture' page (source read in this session): 'Each UltraServer consists of "
               "36 servers with 4 Trainium3 devices per server'; devices in a server on a first-level NeuronSwitch-v1, "
               "across servers two second-level NeuronSwitch-v1 and NeuronLink-v4, '144 Trainium3 devices into a single "
               "scale-up domain', all-to-all; spec table Gen2: 144 devices, MXFP8/MXFP4 362,448 TFLOPS, 20,736 GiB, 705.6 "
               "TB/s, NeuronLink-v4 2,048 GiB/sec/device (the chip page says 2.56 TB/s, the hardware row's figure), EFA "
               "bandwidth 28,800 Gbps per UltraServer. nic_bandwidth = 28,800 / 36 = 800 Gbps per server DERIVED, modelled "
               "as one logical interface (nics_per_node 1, the TPU v5p row's convention; the EFA device count per server "
               "is not on the page). One UltraServer = the cluster (nodes 36). Oversubscription, storage, latency, MTBF "
               "unpublished -> empty.")),
    dict(
        name="AWS Trn2 UltraServer (64 Trainium2)", accelerator="Trainium2", per_node=16, nodes=4, domain=64,
        fabric="NeuronLink-v3 + EFAv3", nic_bps=3.2e12, nics=1, latency=None, oversub=None,
        source_url="https://aws.amazon.com/ec2/instance-types/trn2/",
        notes=("AWS Trn2 page, NOT opened in this session; read via a public note quoting it (search-index id 57977491999, "
               "'[T2-TRN2]'): 'Trn2 UltraServer = 4 x trn2u.48xlarge = 64 Trainium2 chips', '12.8 Tbps of EFAv3 networking "
               "bandwidth'. AWS Neuron training best-practices page (https://awsdocs-neuron.readthedocs-hosted.com/en/latest/training/"
               "best-practices.html, read): a trn2.48xlarge has 16 Trainium2 chips on "
               "NeuronLink-v3's 4 x 4 torus; 'Trn2 UltraServers use NeuronLink between their constituent instances and have "
               "a different topology'. nic_bandwidth = 12.8 Tbps / 4 = 3.2 Tbps per server DERIVED, one logical interface "
               "(nics_per_node 1 convention). scaleup_domain_size 64 = the UltraServer's NeuronLink domain; the inter-"
               "instance NeuronLink is slower than the in-instance torus (a public note, search-index id 58105022001: 256 GB/s per chip "
               "across instances vs 1,024 GB/s within), which the single per-chip link figure of the Trainium2 row does not capture. "
               "Oversubscription, storage, latency, MTBF unpublished -> empty.")),
    dict(
        name="AMD Instinct MI355X reference cluster (MI3XX 1K GPU tree design)", accelerator="MI355X", per_node=8,
        nodes=128, domain=8, fabric="RoCE", nic_bps=400e9, nics=8, latency=9.5e-6, oversub=1.0,
        source_url="https://instinct.docs.amd.com/projects/MI3XX-reference/latest/overview.html",
        notes=("The MI300X reference-cluster row's design (AMD 'Cluster architecture and network design for AMD Instinct "
               "MI3XX', which covers MI300X/MI325X/MI350X/MI355X; that page was read by the session that added the MI300X "
               "row, not re-opened here) with MI355X nodes: 1K-GPU tree design, 128 nodes x 8 GPUs, 2-tier rail-optimized "
               "RoCEv2, 400G NICs (Pollara 400 or Thor2), AMD's 1:1.16 subscription modelled as 1. MI355X node details read "
               "in this session: AMD's ROCm SGLang/MoRI distributed-inference guide (https://rocm.docs.amd.com/en/latest/"
               "how-to/rocm-for-ai/inference/benchmark-docker/sglang-mori-distributed.html): '8x AMD Instinct MI355X GPU "
               "cards per node', '8x AMD Pensando Pollara 400 AI NICs per node, providing a dedicated 1:1 mapping between "
               "GPUs and network interfaces' -> nics_per_node 8 at 400 Gb/s (now sourced, an estimate on the MI300X row); "
               "Crusoe's MLPerf Inference v6.1 system (https://raw.githubusercontent.com/mlcommons/inference_results_v6.1/"
               "main/closed/Crusoe/systems/512xMI355X_Crusoe_GPT.json: 64 nodes x 8 MI355X, '8x AMD Pollara 400G RoCE per "
               "node') agrees. Scale-up 8 GPUs on Infinity Fabric per node. Storage, MTBF unpublished -> empty. | "
               "scaleout_latency_s = 9.5e-6 s: RCCL tuning.cc hwLat[NET][RING][LL] (https://github.com/ROCm/rccl/blob/"
               "9e22c79d8dccb80075967c2a03f1a921c253c867/src/graph/tuning.cc), tuning_model_6 for gfx950 (MI355X) has the "
               "same value as the MI300X row's model 5; a library model constant, not a measured latency.")),
]

HW_KEYS = {"peak_fp32": "peak_fp32_flop_per_s", "peak_tf32": "peak_tf32_flop_per_s", "peak_fp16": "peak_fp16_flop_per_s",
           "peak_bf16": "peak_bf16_flop_per_s", "peak_fp8": "peak_fp8_flop_per_s", "peak_int8": "peak_int8_flop_per_s",
           "peak_fp4": "peak_fp4_flop_per_s", "mem": "memory_capacity_bytes", "bw": "memory_bandwidth_bytes_per_s",
           "sram": "sram_bytes", "link": "scaleup_link_bandwidth_bytes_per_s", "alpha": "scaleup_link_latency_s",
           "domain": "scaleup_domain_size", "host": "host_link_bandwidth_bytes_per_s", "tdp": "tdp_w"}
CL_KEYS = {"per_node": "accelerators_per_node", "nodes": "nodes", "domain": "scaleup_domain_size",
           "nic_bps": "nic_bandwidth_bits_per_s", "nics": "nics_per_node", "latency": "scaleout_latency_s",
           "oversub": "oversubscription_ratio"}


COUNTS = {"release_year", "domain", "per_node", "nodes", "nics"}  # integer columns; every other number is a float


def _cell(v, key: str = "") -> str:
    if v is None:
        return ""
    if isinstance(v, (int, float)) and not isinstance(v, bool) and key not in COUNTS:
        return repr(float(v)).replace("e-0", "e-")  # as `mlsys catalog export` writes it (6e-7, 34359738368.0)
    return str(v)


def _read(path: Path) -> tuple[list[str], list[dict], dict[str, str]]:
    with open(path, newline="") as f:
        reader = csv.DictReader(f)
        header, rows = list(reader.fieldnames), list(reader)
    return header, rows, {h.split(" [")[0]: h for h in header}


def _append(rows: list[dict], header: list[str], base: dict[str, str], specs: list[dict], keys: dict[str, str]) -> int:
    have = {r[base["name"]] for r in rows}
    added = 0
    for spec in specs:
        if spec["name"] in have:
            continue  # replay: the row is already there (maybe edited since); leave it alone
        out = {h: "" for h in header}
        for k, v in spec.items():
            out[base[keys.get(k, k)]] = _cell(v, k)
        out[base["last_verified"]] = TODAY
        rows.append(out)
        added += 1
    return added


def _patch(rows: list[dict], base: dict[str, str]) -> int:
    changed = 0
    for name, cells, note in PATCHES:
        row = next((r for r in rows if r[base["name"]] == name), None)
        if row is None:
            raise SystemExit(f"hardware row {name!r} to patch is missing")
        if note in row[base["notes"]]:
            continue
        for k, v in cells.items():
            row[base[HW_KEYS.get(k, k)]] = _cell(v, k)
        row[base["notes"]] += note
        changed += 1
    return changed


def _write(path: Path, header: list[str], rows: list[dict]) -> None:
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=header, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def main(src: str, dst: str) -> None:
    src_dir, dst_dir = Path(src), Path(dst)
    header, rows, base = _read(src_dir / "hardware.csv")
    added, patched = _append(rows, header, base, HARDWARE, HW_KEYS), _patch(rows, base)
    _write(dst_dir / "hardware.csv", header, rows)
    c_header, c_rows, c_base = _read(src_dir / "clusters.csv")
    c_added = _append(c_rows, c_header, c_base, CLUSTERS, CL_KEYS)
    _write(dst_dir / "clusters.csv", c_header, c_rows)
    print(f"hardware: {added} rows added, {patched} rows patched ({len(rows)} rows); "
          f"clusters: {c_added} rows added ({len(c_rows)} rows)")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
