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
