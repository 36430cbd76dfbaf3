"""Issue 13 item 1 (accelerators): the new hardware rows, appended to a `mlsys catalog export` of the table.

Run:  mlsys catalog export --csv /tmp/hw --table hardware
      python registry_data/research/r-accel/new_rows.py /tmp/hw/hardware.csv registry_data/research/r-accel/hardware.csv
then: mlsys catalog import --csv registry_data/research/r-accel/hardware.csv --table hardware
Every figure below is in the row's notes with where it was read and how anything was derived.
"""
import csv
import sys

GIB = 1024 ** 3
TODAY = "2026-12-03"
NCCL_ALPHA = (" | scaleup_link_latency_s 0.6 us: NCCL hwLat[NVLINK][RING][LL], the value and rationale of the other NVLink rows "
              "(https://github.com/NVIDIA/nccl/blob/b6475625fbcaa2c3c0e50eed2fa1255d7514d4a2/src/graph/tuning.cc).")
RCCL_ALPHA = (" | scaleup_link_latency_s 0.8 us: RCCL LL ring latency, the value and rationale of the MI300X/MI325X rows.")
MI35X_SPECS = "https://rocm.docs.amd.com/en/latest/reference/gpu-specs.html"
CDNA4_ISSCC = ("ISSCC 2026 MI355X paper as reported (https://www.world-today-news.com/?p=7253162): 256 CUs (8 XCD x 32), "
               "FP8 matrix 8,192 FLOP/clock/CU (dense)")

ROWS = [
    dict(
        name="B300 (HGX B300)", vendor="NVIDIA", family="nvidia-blackwell", category="datacenter", release_year=2025,
        source_url="https://www.nvidia.com/en-us/data-center/hgx/",
        notes=("NVIDIA HGX page, HGX B300 column (8 GPUs; tensor figures sparse unless the page prints 'sparse | dense'), read via "
               "the transcriptions https://verda.com/blog/gb300-nvl72-architecture (per-GPU dense table) and "
               "https://fibermall.com/blog/?p=17161 (HGX table); the NVIDIA page itself was not opened in this session (no network; "
               "not in the search corpus). Dense per GPU = HGX sparse / 8 / 2: FP8 72 PF -> 4.5 PF, FP16/BF16 36 -> 2.25 PF, "
               "TF32 18 -> 1.125 PF; FP32 600 TF / 8 = 75 TF. FP4 left null: the transcriptions disagree on dense FP4 per GPU "
               "(13.125, 13.5, 14 PF). INT8 left null: Blackwell Ultra cut INT8 and the transcriptions disagree (0.15 POPS dense "
               "vs 2 POPS sparse per HGX). Memory 270 GB HBM3e per GPU (verda table; the accelerator name NVIDIA submits to "
               "MLPerf is 'B300-SXM-270GB', https://raw.githubusercontent.com/mlcommons/training_results_v6.0/main/"
               "Quanta_Cloud_Technology/summary.json); read as 270 GiB like the B200 '180 GB' row (HBM is built in binary sizes). "
               "Bandwidth 7.7 TB/s (verda; other pages say 'up to 8 TB/s', the B200 row also uses 7.7 for HGX). TDP 1,100 W "
               "(verda). NVLink 5 1.8 TB/s bidirectional per GPU -> 900 GB/s per direction; domain 8 (HGX). Host link null "
               "(PCIe Gen6 per secondary sources, no vendor GB/s read). L2 not published -> null." + NCCL_ALPHA),
        peak_fp32=75e12, peak_tf32=1.125e15, peak_fp16=2.25e15, peak_bf16=2.25e15, peak_fp8=4.5e15, peak_int8=None,
        peak_fp4=None, mem=270 * GIB, bw=7.7e12, sram=None, link=900e9, alpha=6e-7, domain=8, host=None, tdp=1100.0),
    dict(
        name="GB300 NVL72 GPU", vendor="NVIDIA", family="nvidia-blackwell", category="datacenter", release_year=2025,
        source_url="https://www.nvidia.com/en-us/data-center/gb300-nvl72/",
        notes=("NVIDIA GB300 NVL72 page, rack totals (tensor figures sparse; FP4 printed sparse | dense), read via the transcriptions "
               "https://vendordeep.com/report/nvidia-launches-blackwell-ultra-gb300 (FP4 1,440 | 1,080 PF, FP8/FP6 720 PF, "
               "20 TB HBM3e at 576 TB/s, NVLink 130 TB/s) and https://verda.com/blog/gb300-nvl72-architecture (rack dense: FP8 "
               "360, FP16/BF16 180 PF; per GPU TF32 1.25 PF dense, 1.4 kW); the NVIDIA page itself was not opened in this "
               "session. Per GPU = rack / 72: FP4 dense 1,080/72 = 15 PF; FP8 dense 720/2/72 = 5 PF; FP16/BF16 dense "
               "180/72 = 2.5 PF; TF32 dense 1.25 PF (= FP16/2, as on every Blackwell column). FP32 null: transcriptions "
               "disagree (80 TF per GPU vs a rack 3 PF). INT8 null: cut on Blackwell Ultra, transcriptions disagree. Memory "
               "'20 TB' / 72 = 279 GB per GPU (verda per-GPU table also 279 GB), read as 279 GiB like the GB200 row's 186 GB. "
               "Bandwidth 576 TB/s / 72 = 8 TB/s. NVLink 130 TB/s / 72 = 1.8 TB/s bidirectional -> 900 GB/s per direction; "
               "domain 72. TDP 1,400 W (verda). Host link null (NVLink-C2C to Grace, per-GPU share not stated). "
               "L2 not published." + NCCL_ALPHA),
        peak_fp32=None, peak_tf32=1.25e15, peak_fp16=2.5e15, peak_bf16=2.5e15, peak_fp8=5e15, peak_int8=None,
        peak_fp4=15e15, mem=279 * GIB, bw=8e12, sram=None, link=900e9, alpha=6e-7, domain=72, host=None, tdp=1400.0),
    dict(
        name="MI355X", vendor="AMD", family="amd-cdna4", category="datacenter", release_year=2025,
        source_url=MI35X_SPECS,
        notes=("AMD ROCm GPU specifications table (read in this session via the docs corpus): MI355X CDNA4 gfx950, VRAM 288 GiB "
               "(AMD's own unit: GiB), 256 CUs (32 per XCD), L3 (Infinity Cache) 256 MiB -> sram 256 MiB. Peaks DERIVED: "
               + CDNA4_ISSCC + " x 2.4 GHz peak engine clock (https://wccftech.com/amd-instinct-mi350-gpuai-hardware-powerhouse-"
               "3nm-3d-chiplet-cdna-4-185-billion-transistors-1400w-tbp-over-4000b-llm-support//amp/, Hot Chips 2025: MI355X "
               "2.4 GHz 1,400 W, MI350X 2.2 GHz 1,000 W) = 5.03 PF dense FP8 (AMD press figure 'five petaflops' FP8); FP16/BF16 "
               "= FP8/2 = 2.52 PF (CDNA matrix cores run FP16 at half the FP8 rate, as on CDNA3: MI300X 1307.4 vs 2614.9). "
               "FP32 157.3 TF and INT8 5 POPS dense (10.1 with sparsity) as AMD announced, read via "
               "https://www.svethardware.cz/amd-uvadi-akceleratory-instinct-mi350x-a-mi355x-s-288gb-pameti-hbm3e/61870. "
               "TF32: CDNA4 has no TF32 matrix rate -> null. FP4 null: sources disagree whether AMD's 10 PF (MXFP4) or 20.1 PF "
               "(FP4/FP6, tomshardware) is dense; AMD's product page not opened. HBM3E 8 TB/s (AMD, via the same pages). "
               "Scale-up: 7 Infinity Fabric links of 153.6 GB/s bidirectional (secondary: "
               "https://humeconsulting.co/amd-mi355x-strong-node-level-inference-but-not-yet-rack-scale) = 1,075 GB/s "
               "bidirectional -> 537.6 GB/s per direction; domain 8 (OAM platform, fully connected). Host PCIe Gen5 x16 "
               "(AMD's MLPerf system description, https://raw.githubusercontent.com/mlcommons/inference_results_v6.0/main/"
               "closed/AMD/results/87xMI355X_22xEPYC_9575F/summary.html) = 64 GB/s per direction. TBP 1,400 W." + RCCL_ALPHA),
        peak_fp32=157.3e12, peak_tf32=None, peak_fp16=8192 * 256 * 2.4e9 / 2, peak_bf16=8192 * 256 * 2.4e9 / 2,
        peak_fp8=8192 * 256 * 2.4e9, peak_int8=5e15, peak_fp4=None, mem=288 * GIB, bw=8e12, sram=256 * 1024 ** 2,
        link=537.6e9, alpha=8e-7, domain=8, host=64e9, tdp=1400.0),
    dict(
        name="MI350X", vendor="AMD", family="amd-cdna4", category="datacenter", release_year=2025,
        source_url=MI35X_SPECS,
        notes=("AMD ROCm GPU specifications table (read in this session via the docs corpus): MI350X CDNA4 gfx950, VRAM 288 GiB, "
               "256 CUs, L3 256 MiB -> sram 256 MiB. Same silicon as MI355X at 2.2 GHz peak clock and 1,000 W TBP (Hot Chips "
               "2025 via https://wccftech.com/amd-instinct-mi350-gpuai-hardware-powerhouse-3nm-3d-chiplet-cdna-4-185-billion-"
               "transistors-1400w-tbp-over-4000b-llm-support//amp/). Peaks DERIVED: " + CDNA4_ISSCC + " x 2.2 GHz = 4.61 PF "
               "dense FP8; FP16/BF16 = FP8/2 = 2.31 PF; FP32 = MI355X 157.3 TF x 2.2/2.4 = 144.2 TF; INT8 = FP8 rate "
               "(as on MI355X, 5 POPS = FP8). TF32 null (no CDNA4 TF32 matrix rate); FP4 null (see the MI355X note). "
               "HBM3E 8 TB/s. Scale-up and host link as MI355X (7 x 153.6 GB/s bidirectional -> 537.6 GB/s per direction, "
               "domain 8; PCIe Gen5 x16 64 GB/s per direction)." + RCCL_ALPHA),
        peak_fp32=157.3e12 * 2.2 / 2.4, peak_tf32=None, peak_fp16=8192 * 256 * 2.2e9 / 2,
        peak_bf16=8192 * 256 * 2.2e9 / 2, peak_fp8=8192 * 256 * 2.2e9, peak_int8=8192 * 256 * 2.2e9, peak_fp4=None,
        mem=288 * GIB, bw=8e12, sram=256 * 1024 ** 2, link=537.6e9, alpha=8e-7, domain=8, host=64e9, tdp=1000.0),
    dict(
        name="L40", vendor="NVIDIA", family="nvidia-ada", category="datacenter", release_year=2022,
        source_url="https://www.nvidia.com/en-us/data-center/l40/",
        notes=("NVIDIA L40 datasheet (L40 | L40S side-by-side table, read via the reseller transcription "
               "https://www.mullet.se/product.html?product_id=355414; the NVIDIA page itself was not opened in this session). "
               "L40 dense | sparse*: TF32 90.5|181, BF16 181.05|362.1, FP16 181.05|362.1, FP8 362|724, INT8 362|724 TOPS, "
               "INT4 724|1448; FP32 90.5 TF. Dense used. 48 GB GDDR6 with ECC read as 48 GiB (like the L40S row), 864 GB/s; "
               "max power 300 W. No NVLink: domain 1, link null (the L40S row's PCIe peer-to-peer domain 8 rests on a cited "
               "TensorRT-LLM run; none cited for L40). PCIe Gen4 x16 64 GB/s bidirectional -> 32 GB/s per direction. "
               "L2 not in the datasheet -> null. release_year: announced Sep 2022."),
        peak_fp32=90.5e12, peak_tf32=90.5e12, peak_fp16=181.05e12, peak_bf16=181.05e12, peak_fp8=362e12, peak_int8=362e12,
        peak_fp4=None, mem=48 * GIB, bw=864e9, sram=None, link=None, alpha=None, domain=1, host=32e9, tdp=300.0),
    dict(
        name="H200 NVL 141GB", vendor="NVIDIA", family="nvidia-hopper", category="datacenter", release_year=2024,
        source_url="https://www.nvidia.com/en-us/data-center/h200/",
        notes=("NVIDIA H200 product page, H200 NVL column (tensor figures with sparsity*): TF32 835, BF16/FP16 1,671, FP8 3,341, "
               "INT8 3,341 TOPS; FP32 60 TF; 141 GB HBM3e, 4.8 TB/s; max TDP up to 600 W (configurable); 2- or 4-way NVLink "
               "bridge 900 GB/s per GPU; PCIe Gen5 128 GB/s. The page was NOT opened in this session (no network, not in the "
               "search corpus): figures as on that page's NVL column (the same compute as the H100 NVL row's column), to be "
               "re-verified; a user report of a 600 W power cap on H200 NVL agrees. Dense = sparse/2: TF32 417.5, "
               "BF16/FP16 835.5, FP8 1670.5, INT8 1670.5. Memory '141 GB' read as 141 GiB like the H200 SXM row. NVLink "
               "900 GB/s bidirectional -> 450 GB/s per direction; domain 4 (4-way bridge, the largest published). PCIe Gen5 "
               "128 GB/s bidirectional -> 64 GB/s per direction. L2 not on the page -> null. Launched Nov 2024." + NCCL_ALPHA),
        peak_fp32=60e12, peak_tf32=417.5e12, peak_fp16=835.5e12, peak_bf16=835.5e12, peak_fp8=1670.5e12,
        peak_int8=1670.5e12, peak_fp4=None, mem=141 * GIB, bw=4.8e12, sram=None, link=450e9, alpha=6e-7, domain=4,
        host=64e9, tdp=600.0),
    dict(
        name="TPU v7 (Ironwood)", vendor="Google", family="google-tpu", category="datacenter", release_year=2025,
        source_url="https://docs.cloud.google.com/tpu/docs/tpu7x",
        notes=("Google Cloud TPU7x (Ironwood) page, specification table (read in this session): peak compute per chip BF16 "
               "2307 TFLOPs, FP8 4614 TFLOPs (Google's performance guide: FP8 'doubles peak FLOPs' over BF16, dense peaks); "
               "HBM capacity per chip 192 GiB (Google's unit); 9,216 chips per pod; 2 TensorCores + 4 SparseCores per chip. "
               "The table rows after HBM capacity were cut off in the excerpt read: HBM bandwidth 7.37 TB/s and bidirectional "
               "ICI 1,200 GBps per chip are from two transcriptions of that table in public repositories (7370 GB/s; '7.4 TB/s'; "
               "both list ICI 1200 GB/s bidirectional); ICI 1,200 GB/s bidirectional -> 6.0e11 per direction; domain 9,216 "
               "(pod, 3D torus with optical circuit switches). INT8, FP32, FP16, FP4, TF32 not published -> null. TDP, SRAM, "
               "host link not published -> null. | scaleup_link_latency_s 1 us: the ICI per-hop figure of the other TPU rows "
               "(https://jax-ml.github.io/scaling-book/sharding/)."),
        peak_fp32=None, peak_tf32=None, peak_fp16=None, peak_bf16=2307e12, peak_fp8=4614e12, peak_int8=None,
        peak_fp4=None, mem=192 * GIB, bw=7.37e12, sram=None, link=600e9, alpha=1e-6, domain=9216, host=None, tdp=None),
    dict(
        name="TPU v3", vendor="Google", family="google-tpu", category="datacenter", release_year=2018,
        source_url="https://cloud.google.com/tpu/docs/v3",
        notes=("Google Cloud TPU v3 page (read in this session): peak compute per chip 123 TFLOPS bf16; HBM2 32 GiB, 900 GBps; "
               "measured min/mean/max power 123/220/262 W (tdp_w = the measured max 262 W, as the TPU v4 row uses its measured "
               "192 W); pod 1,024 chips, 2D torus; all-reduce bandwidth per pod 340 TB/s (per-chip ICI link bandwidth not "
               "stated -> null). Other precisions not published -> null. | scaleup_link_latency_s 1 us: the ICI per-hop "
               "figure of the other TPU rows (https://jax-ml.github.io/scaling-book/sharding/)."),
        peak_fp32=None, peak_tf32=None, peak_fp16=None, peak_bf16=123e12, peak_fp8=None, peak_int8=None, peak_fp4=None,
        mem=32 * GIB, bw=900e9, sram=None, link=None, alpha=1e-6, domain=1024, host=None, tdp=262.0),
    dict(
        name="Trainium3", vendor="AWS", family="aws-trainium", category="datacenter", release_year=2025,
        source_url="https://awsdocs-neuron.readthedocs-hosted.com/en/v2.29.1/_sources/about-neuron/arch/neuron-hardware/trainium3.rst",
        notes=("AWS Neuron Trainium3 architecture page (read in this session): eight NeuronCore-v4 deliver 2,517 MXFP8/MXFP4 "
               "TFLOPS, 671 BF16/FP16/TF32 TFLOPS (dense; the '2,517 FP16/BF16/TF32 sparse' figure NOT used), 183 FP32 TFLOPS; "
               "144 GiB device memory at 4.9 TB/s (the NKI Trainium3 guide says 4.7 TB/s; 4.9 used, also AWS's launch figure); "
               "NeuronLink-v4 2.56 TB/s per device, direction not stated - read as aggregate bidirectional and halved -> "
               "1.28e12 per direction, as the Trainium2 row does. FP8/FP4 columns = the MXFP8/MXFP4 rate. sram = SBUF 8 x 32 MiB "
               "(NKI Trainium3 guide: 'NeuronCore-v4 SBUF capacity is 32MiB'), PSUM excluded. Domain 144: the Neuron Trn3 Gen2 "
               "UltraServer page 'integrates 144 Trainium3 devices into a single scale-up domain' (36 servers x 4, NeuronSwitch-v1). "
               "INT8 not published -> null. Host link, TDP not published -> null. scaleup_link_latency_s unpublished -> null."),
        peak_fp32=183e12, peak_tf32=671e12, peak_fp16=671e12, peak_bf16=671e12, peak_fp8=2517e12, peak_int8=None,
        peak_fp4=2517e12, mem=144 * GIB, bw=4.9e12, sram=8 * 32 * 1024 ** 2, link=1.28e12, alpha=None, domain=144,
        host=None, tdp=None),
    dict(
        name="V100 SXM2 16GB", vendor="NVIDIA", family="nvidia-volta", category="datacenter", release_year=2017,
        source_url="https://images.nvidia.com/content/technologies/volta/pdf/volta-v100-datasheet-update-us-1165301-r5.pdf",
        notes=("Same V100 datasheet SXM2 column as the 'V100 SXM2 32GB' row (the datasheet lists 32/16 GB HBM2 for the same "
               "board; compute, bandwidth, NVLink and power identical): FP32 15.7 TFLOPS, Tensor 125 TFLOPS (FP16 in, FP32 "
               "accumulate; Volta has no sparsity), 16 GB HBM2 read as 16 GiB like the 32 GB row, 900 GB/s, NVLink 300 GB/s "
               "bidirectional -> 150 GB/s per direction, domain 8 (DGX-1/HGX-1), PCIe Gen3 16 GB/s per direction, 300 W, "
               "L2 6 MiB. No TF32/BF16/FP8/INT8 tensor rates. The datasheet PDF itself was not opened in this session (figures "
               "as the 32 GB row transcribes them). 16 GB V100 launched 2017." + NCCL_ALPHA),
        peak_fp32=15.7e12, peak_tf32=None, peak_fp16=125e12, peak_bf16=None, peak_fp8=None, peak_int8=None, peak_fp4=None,
        mem=16 * GIB, bw=900e9, sram=6 * 1024 ** 2, link=150e9, alpha=6e-7, domain=8, host=16e9, tdp=300.0),
    dict(
        name="MI300A", vendor="AMD", family="amd-cdna3", category="datacenter", release_year=2023,
        source_url="https://www.amd.com/en/products/accelerators/instinct/mi300/mi300a.html",
        notes=("APU (24 Zen 4 cores + 228 CDNA3 CUs sharing the HBM). AMD MI300A figures as quoted from AMD's data sheet in "
               "https://vengineer.hatenablog.com/entry/2023/12/11/080000 (AMD page itself not opened in this session): "
               "peak FP16 980.6 TFLOPS, bfloat16 980.6, FP32 (vector and matrix) 122.6, INT8 1.96 POPS; 228 CUs at 2.1 GHz; "
               "128 GB HBM3 (8 stacks) read as 128 GiB like the MI300X row; 256 MB Infinity Cache -> sram 256 MiB. These are "
               "the dense rates (AMD prints sparse separately; MI300X row: FP16 1307.4 dense). DERIVED: FP8 = 2 x FP16 = "
               "1961.2 TFLOPS and TF32 = FP16 / 2 = 490.3 TFLOPS, the CDNA3 ratios of the MI300X row (1307.4 -> 2614.9 FP8, "
               "653.7 TF32). Bandwidth 5.3 TB/s: AMD's MI300A figure, not read in this session (the same 8-stack HBM3 as the MI300X's 5.3 TB/s). "
               "TDP 550 W (AMD's MI300A TDP as reported; not read from AMD). Scale-up: 4 APUs per node fully connected by "
               "Infinity Fabric (AMD data-sheet node diagram, same page); per-link bandwidth not read -> link null, domain 4. "
               "Host link null (the APU is its own host). scaleup_link_latency_s null (no link bandwidth set)."),
        peak_fp32=122.6e12, peak_tf32=490.3e12, peak_fp16=980.6e12, peak_bf16=980.6e12, peak_fp8=1961.2e12,
        peak_int8=1.96e15, peak_fp4=None, mem=128 * GIB, bw=5.3e12, sram=256 * 1024 ** 2, link=None, alpha=None,
        domain=4, host=None, tdp=550.0),
    dict(
        name="DGX Spark (GB10)", vendor="NVIDIA", family="nvidia-blackwell", category="workstation", release_year=2025,
        source_url="https://www.nvidia.com/en-us/products/workstations/dgx-spark/",
        notes=("NVIDIA DGX Spark page (not opened in this session; read via https://dgx-spark.warehack.ing/hardware/ and "
               "https://meterpreter.org/a-supercomputer-on-your-desk-nvidia-unveils-the-dgx-spark-ai-superchip): 'up to 1 "
               "petaFLOP FP4 (theoretical, with sparsity)' -> dense FP4 = 1e15 / 2 = 5e14 (NVIDIA's sparsity footnote, the "
               "rule of every Blackwell row). No other tensor peak is published by NVIDIA -> null (the ~31 TFLOPS FP32 quoted "
               "from Hot Chips 2025 is approximate -> not set). 128 GB LPDDR5X unified CPU+GPU memory read as 128 GiB "
               "(LPDDR is built in binary sizes); 273 GB/s. tdp_w 140 W = GB10 SoC TDP from NVIDIA's Hot Chips 2025 talk "
               "(as reported; system power supply 240 W not used). Scale-up: none inside one unit (domain 1); two units link "
               "over ConnectX-7 200 GbE, a network, not a scale-up link."),
        peak_fp32=None, peak_tf32=None, peak_fp16=None, peak_bf16=None, peak_fp8=None, peak_int8=None, peak_fp4=5e14,
        mem=128 * GIB, bw=273e9, sram=None, link=None, alpha=None, domain=1, host=None, tdp=140.0),
    dict(
        name="RTX PRO 6000 Blackwell", vendor="NVIDIA", family="nvidia-blackwell", category="workstation", release_year=2025,
        source_url="https://www.nvidia.com/en-us/products/workstations/professional-desktop-gpus/rtx-pro-6000/",
        notes=("Workstation Edition. NVIDIA figures (page not opened in this session; read via "
               "https://gpu.name/posts/nvidia-unveils-rtx-pro-6000-blackwell-gpu-with-24-064-cores-and-96gb-memory and the "
               "GTC 2025 launch coverage): FP32 125 TFLOPS; 4,000 'AI TOPS' = FP4 with sparsity -> dense FP4 = 2,000 TFLOPS "
               "(sparse/2, NVIDIA's footnote rule); FP16/BF16/FP8 tensor peaks not read -> null (not derived). 96 GB GDDR7 "
               "(32 x 3 GB chips, clamshell) read as 96 GiB; 1,792 GB/s (512-bit, 28 Gbps); 600 W. No NVLink: domain 1. Host "
               "PCIe Gen5 x16: 64 GB/s per direction derived from the standard (32 GT/s x 16 lanes). L2 128 MB (press) -> "
               "not set."),
        peak_fp32=125e12, peak_tf32=None, peak_fp16=None, peak_bf16=None, peak_fp8=None, peak_int8=None, peak_fp4=2e15,
        mem=96 * GIB, bw=1.792e12, sram=None, link=None, alpha=None, domain=1, host=64e9, tdp=600.0),
]

KEYS = {"peak_fp32": "peak_fp32_flop_per_s", "peak_tf32": "peak_tf32_flop_per_s", "peak_fp16": "peak_fp16_flop_per_s",
        "peak_bf16": "peak_bf16_flop_per_s", "peak_fp8": "peak_fp8_flop_per_s", "peak_int8": "peak_int8_flop_per_s",
        "peak_fp4": "peak_fp4_flop_per_s", "mem": "memory_capacity_bytes", "bw": "memory_bandwidth_bytes_per_s",
        "sram": "sram_bytes", "link": "scaleup_link_bandwidth_bytes_per_s", "alpha": "scaleup_link_latency_s",
        "domain": "scaleup_domain_size", "host": "host_link_bandwidth_bytes_per_s", "tdp": "tdp_w"}


def main(src: str, dst: str) -> None:
    with open(src, newline="") as f:
        reader = csv.DictReader(f)
        header, rows = reader.fieldnames, list(reader)
    base = {h.split(" [")[0]: h for h in header}
    have = {r[base["name"]] for r in rows}
    for spec in ROWS:
        if spec["name"] in have:
            raise SystemExit(f"hardware row {spec['name']!r} already exists")
        out = {h: "" for h in header}
        for k, v in spec.items():
            col = base[KEYS.get(k, k)]
            out[col] = "" if v is None else (repr(float(v)) if isinstance(v, float) else str(v))
        out[base["last_verified"]] = TODAY
        rows.append(out)
    with open(dst, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=header)
        w.writeheader()
        w.writerows(rows)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
