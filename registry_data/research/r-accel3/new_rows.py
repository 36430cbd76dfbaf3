"""Issue 13 item 1 (accelerators, third pass): A10G, H20 and H800 SXM5, the three parts the r-accel and
r-accel2 passes left out for want of a primary source. Appended to a `mlsys catalog export` of `hardware`.
Idempotent: a row whose name exists is left alone, so it can be replayed on main after other helpers merged.

No NVIDIA datasheet for any of the three is in the search corpora and there is no network here: every
figure was read through a copy (a transcription, a user's notes, a news report), named in the row's notes.
All three rows are therefore `source_quality = secondary` (r-quality/apply.py flags notes that say
"read via"). A field no copy states, or on which the copies disagree, stays empty.

Run (from the repository root):
    mlsys catalog export --csv /tmp/cat --table hardware
    python registry_data/research/r-accel3/new_rows.py /tmp/cat registry_data/research/r-accel3
    mlsys catalog import --csv registry_data/research/r-accel3/hardware.csv --table hardware
    python registry_data/research/r-quality/apply.py
    python -m pipeline.validation.gemm_fit
"""
import csv
import sys
from pathlib import Path

GIB = 1024 ** 3
MIB = 1024 ** 2
TODAY = "2026-12-03"
NCCL_ALPHA = (" | scaleup_link_latency_s 0.6 us: NCCL hwLat[NVLINK][RING][LL], the value and rationale of the other NVLink rows "
              "(https://github.com/NVIDIA/nccl/blob/b6475625fbcaa2c3c0e50eed2fa1255d7514d4a2/src/graph/tuning.cc).")
A10G_DS = "https://d1.awsstatic.com/product-marketing/ec2/NVIDIA_AWS_A10G_DataSheet_FINAL_02_17_2022.pdf"
FSDL = ("https://github.com/full-stack-deep-learning/website/blob/main/docs/cloud-gpus/index.md (FSDL cloud-GPU page, "
        "'GPU Raw Performance Numbers and Datasheets' table, each row linked to its datasheet)")
FLASHMLA = "https://github.com/deepseek-ai/FlashMLA/blob/f6894dbf015a931573d234626f7eff9b03152c1b/docs/20250422-new-kernel-deep-dive.md"
ASTRO = ("https://github.com/astroC86/gpu-datasheet/blob/859522a59b490fc778e288cdddd93bc97d48a20c/README.md (a table of "
         "datasheet figures whose H800 row links a reseller's copy of NVIDIA's H800 datasheet, "
         "https://chaoqing-i.com/upload/20231128/NVIDIA%20H800%20GPU%20Datasheet.pdf)")
H20_TABLE = "https://zangshuxian.com/new/674733024499207168"

HARDWARE = [
    dict(
        name="A10G", vendor="NVIDIA", family="nvidia-ampere", category="datacenter", release_year=2021,
        source_url=A10G_DS,
        notes=("AWS's variant of the A10 (GA102, 80 SMs per the datasheet as quoted in a GPU-MODE discussion digest, "
               "search-index id 4785948057), sold only in EC2 G5 instances. NVIDIA/AWS 'A10G Tensor Core GPU' datasheet "
               "(Feb 2022, the source_url; the PDF is not in the corpora and was NOT opened), read via three copies: "
               + FSDL + ": A10G FP32 35, FP16 70 TFLOPS (the A100 row of the same column is its dense 312); a training "
               "report that read the datasheet (search-index id 70097340805): 'BF16 tensor throughput as 70 TF dense "
               "(140 with sparsity)', and its bf16 8192^3 matmul measured 66.6 TF (95 % of 70); a GPU-choice study "
               "(id 71623055017): '24 GB GDDR6 | 600 GB/s | 70 (140 with sparsity)'. Dense used: BF16 = FP16 = 70. "
               "A hardware table (id 58504495087) lists the A10G at 125 TFLOPS, the plain A10's figure, contradicted by "
               "the three copies above: not used. TF32 (the FSDL 'mixed-precision' column reads 35 but its header does not "
               "say TF32) and INT8 not read -> null; no FP8 (Ampere). 600 GB/s also in a user's bandwidth check "
               "(id 57937014879: 'A10G ... 600 GB/s ... 70 TFLOPS (140 with sparsity)'). 24 GB GDDR6 read as 24 GiB "
               "(like the A10 and L4 rows: the vendor's GB is binary for GDDR6); AWS's describe-instance-types reports "
               "22,888 MiB per the same user, so no nvidia-smi total is cited and usable_memory_bytes stays null. "
               "tdp_w 300 W: nvidia-smi power cap on g5 instances as two users report it (id 57937014879: 'drew 218 W of "
               "300 W'; https://gist.github.com/shashankprasanna/10ebe6dc1ba1d8d93db17da4e2cc890e: 'Thermal Design Power "
               "(TDP) from nvidia-smi | 300W' for every g5 size), not a datasheet figure. No NVLink on G5 (the gist's "
               "'GPU Interconnect' column: 'NA (single GPU)' / 'PCIe') -> domain 1, link null. Host link: one user "
               "observed PCIe gen4 x8 on g5.2xlarge (id 57937014879), no vendor figure -> null. release_year 2021: AWS "
               "SDK for Ruby changelog 1.280.0 (2021-11-12), 'G5 instances feature up to 8 NVIDIA A10G Tensor Core "
               "GPUs' (search-index id 5687950703)."),
        peak_fp32=35e12, peak_tf32=None, peak_fp16=70e12, peak_bf16=70e12, peak_fp8=None, peak_int8=None,
        peak_fp4=None, mem=24 * GIB, bw=600e9, sram=None, link=None, alpha=None, domain=1, host=None, tdp=300.0),
    dict(
        name="H20", vendor="NVIDIA", family="nvidia-hopper", category="datacenter", release_year=2024,
        source_url=H20_TABLE,
        notes=("HGX H20 (Hopper, 96 GB), NVIDIA's China part after the H800. NO NVIDIA document for it is in the corpora "
               "(NVIDIA published no public datasheet); every figure is read via secondary copies of the partner "
               "specification: the source_url (a Chinese news digest): 'H20的FP16稠密算力为148TFLOPS ... INT8为296TFLOPS, "
               "FP16为148TFLOPS, TF32为74TFLOPS, FP32为44TFLOPS ... 内存带宽为4.0TB/s' (FP16 148 is stated dense); a news "
               "report (http://1cnz.cn/d/2353773.html): '96GB的HBM3顯存及4.0TB/s的顯存帶寬 ... FP8達到296TFLOPS和FP16高達148TFLOPS', "
               "'NVLink 900GB/s ... SXM板卡形式, 以匹配英偉達8路HGX服務器規格'; a GPU guide (https://willitrunai.com/es/gpus/h20-96gb): "
               "'96 GB HBM3 — 4,000 GB/s', '148 TFLOPS FP16 / 296 INT8 TOPS', 'NVLink 4.0 (900 GB/s)'. Dense peaks: FP16 "
               "148, FP8 296 (2 x FP16, the Hopper ratio of the H100 row: so dense, like the FP16 it is quoted with), "
               "INT8 296, TF32 74, FP32 44. BF16 = 148: not in these copies; two independent code notes state it "
               "('H20 BF16 peak=148T', search-index id 55512487928; 'H20 BF16 tensor peak equals the FP16 peak (148 "
               "TFLOPS dense)', id 70966778659), as the H100 datasheet prints BF16 = FP16. 96 GB HBM3 read as 96 GiB "
               "(HBM is built in binary sizes, like the H100 row); nvidia-smi on three hosts reports 97871 MiB total "
               "(ids 53244009727, 69782509629, 69432946739; no URL to cite, so usable_memory_bytes stays null). "
               "NVLink 900 GB/s bidirectional -> 450 GB/s per direction, domain 8 (HGX 8-GPU baseboard)." + NCCL_ALPHA +
               " tdp_w null: the guide says 400 W, while the same three nvidia-smi outputs show a 500 W power cap -> "
               "conflict, left empty. Host link, L2: not read -> null. release_year 2024: mass production planned for "
               "Q2 2024 (Kuo, as reported by the 1cnz.cn article); year as reported, not read from NVIDIA."),
        peak_fp32=44e12, peak_tf32=74e12, peak_fp16=148e12, peak_bf16=148e12, peak_fp8=296e12, peak_int8=296e12,
        peak_fp4=None, mem=96 * GIB, bw=4.0e12, sram=None, link=450e9, alpha=6e-7, domain=8, host=None, tdp=None),
    dict(
        name="H800 SXM5 80GB", vendor="NVIDIA", family="nvidia-hopper", category="datacenter", release_year=2023,
        source_url=FLASHMLA,
        notes=("H100-silicon part for China (GH100, SXM5) with cut NVLink; the GPU of DeepSeek-V3. NVIDIA's H800 datasheet "
               "is NOT in the corpora (copies exist only on a reseller site and Scribd, not opened). Read instead: "
               "DeepSeek's FlashMLA kernel deep dive (the source_url, a user of the part, not NVIDIA): 'An NVIDIA H800 "
               "SXM5 GPU has a peak memory bandwidth of 3.35 TB/s and peak FLOPs of 990 TFlops' (BF16 dense; 'due to "
               "throttling (reducing to ~1600 MHz in our case), the practical peak FLOPs drops to ~865 TFlops'); and, "
               "read via " + ASTRO + ": H800 80 GB, 3.35 TB/s, '1979 TFLOPS (BF16 / FP16)', '3958 TFLOPS (FP8 / INT8)' - "
               "the datasheet's with-sparsity figures, as the same table's H100 row (1979/3958) and this catalog's H100 "
               "SXM5 row show. Dense = sparse / 2: BF16 = FP16 = 989.5 (agrees with DeepSeek's 990), FP8 = INT8 = 1979. "
               "TF32 and FP32 not read from a copy that names the H800 reliably (a table giving TF32 495 also swaps the "
               "H100/H200 memory sizes) -> null. 80 GB HBM3 read as 80 GiB (like the H100 SXM5 row). NVLink 400 GB/s "
               "bidirectional (vs 900 on the H100) -> 200 GB/s per direction: every copy read says 400 GB/s (a network "
               "vendor's note https://www.philisun.com/technical-analysis/nvidia-h800-vs-h100-a-technical-deep-dive-into-"
               "politically-defined-ai-chips/, a blog https://www.tumgag.com/tag/nvidia%20h100: 'reduced to only 400 GB/s "
               "total aggregate bidirectional bandwidth', a Chinese brokerage note https://www.taoguba.com.cn/Article/"
               "2551318/blog/Article/5364790/1: 'H800的400GB/s的互联带宽', and a project note citing the datasheet's "
               "interconnect row, search-index id 55836261826). Domain 8: 8-GPU NVLink/NVSwitch nodes (SGLang's H800 "
               "reports run '4 x 8 NVIDIA H800 80GB HBM3', id 57378523899)." + NCCL_ALPHA + " sram 50 MiB: L2 as a "
               "device query on an H800 SXM reports it ('L2 本机 50 MiB', id 57372977060), the H100's 50 MB. tdp_w null: "
               "copies disagree (700 W in a table, 550 W in a review). Host link not read -> null. release_year 2023: "
               "launched 21 March 2023 per an encyclopedia entry (https://aiwiki.ai/wiki/nvidia_h800); not read from "
               "NVIDIA. The GEMM fit keeps mapping DeepGEMM's H800 rows to the H100 SXM5 row (same die, SMs, clock); "
               "this row gets a profile-η kernel_efficiency row."),
        peak_fp32=None, peak_tf32=None, peak_fp16=1979e12 / 2, peak_bf16=1979e12 / 2, peak_fp8=3958e12 / 2,
        peak_int8=3958e12 / 2, peak_fp4=None, mem=80 * GIB, bw=3.35e12, sram=50 * MIB, link=200e9, alpha=6e-7,
        domain=8, host=None, tdp=None),
]

HW_KEYS = {"peak_fp32": "peak_fp32_flop_per_s", "peak_tf32": "peak_tf32_flop_per_s", "peak_fp16": "peak_fp16_flop_per_s",
           "peak_bf16": "peak_bf16_flop_per_s", "peak_fp8": "peak_fp8_flop_per_s", "peak_int8": "peak_int8_flop_per_s",
           "peak_fp4": "peak_fp4_flop_per_s", "mem": "memory_capacity_bytes", "bw": "memory_bandwidth_bytes_per_s",
           "sram": "sram_bytes", "link": "scaleup_link_bandwidth_bytes_per_s", "alpha": "scaleup_link_latency_s",
           "domain": "scaleup_domain_size", "host": "host_link_bandwidth_bytes_per_s", "tdp": "tdp_w"}
COUNTS = {"release_year", "domain"}  # integer columns; every other number is a float


def _cell(v, key: str = "") -> str:
    if v is None:
        return ""
    if isinstance(v, (int, float)) and not isinstance(v, bool) and key not in COUNTS:
        return repr(float(v)).replace("e-0", "e-")  # as `mlsys catalog export` writes it (6e-7, 34359738368.0)
    return str(v)


def main(src: str, dst: str) -> None:
    with open(Path(src) / "hardware.csv", newline="") as f:
        reader = csv.DictReader(f)
        header, rows = list(reader.fieldnames), list(reader)
    base = {h.split(" [")[0]: h for h in header}
    have = {r[base["name"]] for r in rows}
    added = 0
    for spec in HARDWARE:
        if spec["name"] in have:
            continue  # replay: the row is already there (maybe edited since); leave it alone
        out = {h: "" for h in header}
        for k, v in spec.items():
            out[base[HW_KEYS.get(k, k)]] = _cell(v, k)
        out[base["last_verified"]] = TODAY
        rows.append(out)
        added += 1
    with open(Path(dst) / "hardware.csv", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=header, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    print(f"hardware: {added} rows added ({len(rows)} rows)")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
