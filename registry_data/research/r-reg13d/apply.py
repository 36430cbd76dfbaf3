"""Issue 13 (r-reg13d): another primary-source pass over the secondary catalog rows. A row moves to
``source_quality = primary`` only when every figure of it (dense peaks per precision, memory capacity, memory
bandwidth, TDP) traces to a vendor document read here, quoted in the row's notes. Re-runnable and idempotent; run
from the repository root after the earlier research scripts (r-reg13c last):

    .venv/bin/python registry_data/research/r-reg13d/apply.py [--registry DIR]

What was read (2026-12-03, workspace tools; repository snapshots fetched and read with git):

* ROCm/ROCm @e396b489 (AMD's ROCm documentation source): the GPU specifications table, the MI250 and MI300
  microarchitecture pages (per-CU FLOPS/clock tables) and the MI300A system-optimization page with its rocm-smi
  and rocm-bandwidth-test screenshots.
* ROCm/rocprofiler-compute @95b600ea (AMD's profiler): the system-info file of its MI300A test workload.
* ROCm/rocm-blogs @c9a603f2 (AMD's ROCm blogs): 'LLM Inference optimizations on AMD Instinct GPUs'.
* bigscience-workshop/bigscience @e726b159 (BigScience): the BLOOM 176B training README; BigScience's model-card
  commit 0f24f91 on Hugging Face (docs corpus).

Rows promoted (``PROMOTE``): hardware MI300A and MI210, models BLOOM-176B. A promoted row's notes are rewritten:
the sentences that read figures through copies (and the r-quality sentence that flagged them) are replaced by one
dated sentence tracing every figure to the documents above, quoting them; sentences about other columns are kept.
No figure changes value (each earlier figure equals the primary one at its printed precision), so no validation
figure moves.

Rows still secondary (``TRIED``): the rows searched in this pass get one dated sentence naming what was tried,
what was found and what is still missing. Rows not searched in this pass get nothing.

It prints the number of secondary rows before and after (stderr) and the number of rows changed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

import polars as pl

from pipeline.catalogs.io import read_catalog, write_catalog

HERE = Path(__file__).resolve().parent
TAG = "2026-12-03 (r-reg13d)"
VERIFIED = dt.date(2026, 12, 3)
ROCM = "https://github.com/ROCm/ROCm/blob/e396b4898f459db094bfd60b876f419f77eb9f09/docs/"
PROFILER = ("https://github.com/ROCm/rocprofiler-compute/blob/95b600ea582f168425bbf50f9707bcce1aa9d73c/tests/"
            "workloads/device_filter/")
BLOG = ("https://github.com/ROCm/rocm-blogs/blob/c9a603f2d10700ba973a4a4150374c6979a8f9d2/blogs/"
        "artificial-intelligence/llm-inference-optimize/README.md")
# the same rule as registry_data/research/r-quality/apply.py READ_THROUGH: a sentence matching it reads a figure
# through a copy; a promoted row keeps none of them (the r-quality rule would flag it secondary again)
READ_THROUGH = r"(?i)\bread (via|through)\b|transcri(ption|bed)|\bnot opened\b|re-host"
FLAG = r"\s*source_quality secondary: [^|]*?source_url names the primary source they quote\."

SPECS = (f"ROCm's 'Accelerator and GPU hardware specifications' table ({ROCM}reference/gpu-arch-specs.rst, AMD's "
         "documentation source, read)")

MI300A = (
    f"APU (24 Zen 4 cores + 228 CDNA3 CUs sharing the HBM). {TAG}: every figure traced to AMD documents read here; "
    "source_quality primary. (1) " + SPECS + ": MI300A, CDNA3, gfx942, VRAM 128 GiB, 228 CUs (38 per XCD), L3 "
    "256 MiB -> memory_capacity_bytes 128 GiB, sram_bytes 256 MiB. (2) ROCm's 'AMD Instinct MI300 "
    f"microarchitecture' page ({ROCM}conceptual/gpu-arch/mi300.md, the source_url), table 'Peak-performance "
    "capabilities of the MI300X for different data types', FLOPS/CLOCK/CU of the CDNA3 CU: Matrix FP32 256, "
    "Vector TF32 1024, Matrix FP16 2048, Matrix BF16 2048, Matrix FP8 4096, Matrix INT8 4096 (304 CUs -> 1307.4 "
    "TFLOPS FP16, i.e. a 2.1 GHz peak clock), and 'The theoretical aggregated peak memory bandwidth of the GPU is "
    "5.3 TB per second'. (3) AMD's profiler, system information recorded on an MI300A "
    f"({PROFILER}MI300A_A1/sysinfo.csv: cpu_model 'AMD Instinct MI300A Accelerator', gpu_arch gfx942, cu_per_gpu "
    "228, max_sclk 2100, max_mclk 1300, hbm_bw 5324.8): peak engine clock 2.1 GHz; the HBM peak the tool computes, "
    "5,324.8 GB/s, is the one it records for the MI300X_A1 (max_mclk 1300, hbm_bw 5324.8), whose bandwidth AMD "
    "states as 5.3 TB/s -> memory_bandwidth_bytes_per_s 5.3e12 (AMD's figure; the tool's is +0.5 %). Peaks = 228 "
    "CUs x FLOPS/clock/CU x 2.1 GHz: FP32 122.57 -> 122.6 TFLOPS, TF32 490.29 -> 490.3, FP16 and BF16 980.58 -> "
    "980.6, FP8 1961.16 -> 1961.2, INT8 1961.16 TOPS (the row's 1.96e15, AMD's data-sheet '1.96 POPS', equals it at "
    "that precision; not changed). Dense rates: the CDNA3 table has no sparsity. No FP4 on CDNA3. (4) ROCm's 'AMD "
    f"Instinct MI300A system optimization' page ({ROCM}how-to/system-optimization/mi300a.rst), rocm-smi screenshot "
    f"({ROCM}data/how-to/tuning-guides/mi300a-rocm-smi-output.png, read): four MI300A sockets, each 'PwrCap "
    "550.0W' -> tdp_w 550 (the socket power cap; rocm-smi 'reports statistics per socket, so the power results "
    "combine CPU and GPU utilization'); its rocm-bandwidth-test screenshot "
    f"({ROCM}data/how-to/tuning-guides/mi300a-rocm-peak-bandwidth-output.png, read) shows each of the four APUs "
    "copying to each other at 90.9-95.5 GB/s unidirectional, 179.7-185.9 GB/s bidirectional -> scaleup_domain_size "
    "4, fully connected; no per-link peak is stated -> scaleup_link_bandwidth_bytes_per_s and "
    "scaleup_link_latency_s null. Host link null (the APU is its own host). The earlier notes read these figures "
    "through a blog's copy of AMD's data sheet (vengineer.hatenablog.com, 2023-12-11); every figure agreed, and "
    "those sentences are replaced by this one.")

MI210 = (
    f"PCIe card, CDNA2 gfx90a, one GCD. {TAG}: every figure traced to AMD documents read here; source_quality "
    "primary. (1) " + SPECS + ": MI210, CDNA2, gfx90a, VRAM 64 GiB, 104 CUs, L2 8 MiB, no L3 -> "
    "memory_capacity_bytes 64 GiB, sram_bytes 8 MiB. (2) AMD's ROCm blog 'LLM Inference optimizations on AMD "
    f"Instinct GPUs' (Seungrok Jung, 15 Mar 2024; {BLOG}, published on rocm.blogs.amd.com, read): 'AMD's Instinct "
    "(TM) MI210 has a maximum computing capacity of 181 TFLOPs at the FP16 datatype', 'MI210 can provide a maximum "
    "double data rate (DDR) memory bandwidth up to 1.6 TB/s', 'MI250 is composed of two Graphics Compute Dies (GCD) "
    "from MI210' -> peak_fp16 181.0 TFLOPS, memory_bandwidth_bytes_per_s 1.6e12. (3) ROCm's 'AMD Instinct MI250 "
    f"microarchitecture' page ({ROCM}conceptual/gpu-arch/mi250.md): 'The MI250 GCD has 104 active CUs', 'peak clock "
    "frequency of 1.7 GHz', HBM2e 'peak memory bandwidth of 1.6 TB/sec per GCD'; table 'Peak-performance "
    "capabilities of the MI250 OAM', FLOPS/CLOCK/CU: Matrix FP32 256, Matrix FP16 1024, Matrix BF16 1024, Matrix "
    "INT8 1024 (362.1 TFLOPS FP16 for the two GCDs). One 104-CU GCD at 1.7 GHz: FP16 = BF16 = INT8 = 104 x 1024 x "
    "1.7e9 = 181.05 -> 181.0 TFLOPS/TOPS (the blog's 181), FP32 matrix 104 x 256 x 1.7e9 = 45.26 -> 45.3 TFLOPS "
    "(the row's value, AMD's data-sheet print; not changed). CDNA2 has no sparsity: dense. No TF32/FP8/FP4 matrix "
    "rates in that table -> null. tdp_w null: no AMD document read here states the MI210's power (not set, as "
    "before). scaleup_domain_size 4 (AMD's data sheet: coherency in dual or quad hives) stays on the earlier "
    "reading of that data sheet through ByteDance's ByteMLPerf README; it is not a figure of the issue-13 list. "
    "Per-link bandwidth not read -> link null; host link null. release_year 2022 as commonly reported. The earlier "
    "notes read the peaks and bandwidth through that README's copy of AMD's data sheet and the specifications "
    "table through a fork of the ROCm docs; every figure agreed, and those sentences are replaced by this one.")

BIGSCIENCE = ("https://github.com/bigscience-workshop/bigscience/blob/e726b15982fa088fb6d9a4c869c19c3d4dbc84a7/train/"
              "tr11-176B-ml/README.md")
BLOOM_CARD = "https://huggingface.co/bigscience/bloom/commit/0f24f9137e290a99b22e30a1af3f3b8b74f5fe66"
BLOOM = (
    f"{TAG}: every figure traced to BigScience's own documents, read here; source_quality primary. (1) The BLOOM "
    f"training README ({BIGSCIENCE}, BigScience's repository, the source_url): 'NHIDDEN=14336', 'NLAYERS=70', "
    "'NHEADS=112' (hidden/heads ratio 128 -> head_dim 128, n_kv_heads 112: Megatron-LM GPT multi-head attention), "
    "'SEQ_LEN=2048' (max_context_tokens 2048), 'the tied embedding layers' (is_tied_embeddings), 'embedding size: "
    "`v*h`: `250880*14336` => `3_596_615_680` params' (vocab_size 250880, the padded table; the tokenizer has "
    "250,680 tokens), 'one layer size: `12*h**2 + 13*h`' (a 4 x h = 57,344 MLP, ffn_dim 57344, not gated: "
    "'torch.nn.functional.gelu'; the 13h term is the linear biases and LayerNorms: has_linear_bias, layernorm), "
    "'--position-embedding-type alibi', '--embed-layernorm'. (2) BigScience's model card, commit 0f24f91 'Add exact "
    f"param counts' ({BLOOM_CARD}, the params_source_url, read): '176,247,271,424 parameters', '3,596,615,680 "
    "embedding parameters', '70 layers, 112 attention heads', 'ALiBI positional encodings ... with GeLU activation "
    "functions'. The package computes 176,247,242,752: exactly the published count less the embedding LayerNorm "
    "after the word embeddings (2 x 14336 = 28,672), which the formula does not count. The earlier notes read the "
    "config through a re-upload of bigscience/bloom's config.json; every figure agreed, and that sentence is "
    "replaced by this one.")

# table -> name -> (new source_url, the first note sentence replacing every note segment that reads through a copy)
PROMOTE: dict[str, dict[str, tuple[str, str]]] = {
    "hardware": {"MI300A": (f"{ROCM}conceptual/gpu-arch/mi300.md", MI300A), "MI210": (BLOG, MI210)},
    "models": {"BLOOM-176B": (BIGSCIENCE, BLOOM)},
}

STAYS = "The row stays source_quality secondary; last_verified does not move."
# table -> name -> what this pass tried for that row and why it stays secondary
NV_BLOG = "https://developer.nvidia.com/blog/inside-nvidia-blackwell-ultra-the-chip-powering-the-ai-factory-era"
EXCERPT = ("(the docs and pages corpora hold each page from its beginning only, so a specification table past the "
           "first few thousand characters is not reachable)")
TRIED: dict[str, dict[str, str]] = {
    "hardware": {
        "GB300 NVL72 GPU": (
            "NVIDIA's technical blog 'Inside NVIDIA Blackwell Ultra: The Chip Powering the AI Factory Era' "
            f"({NV_BLOG}, pages corpus, read from its beginning) states '160 Streaming Multiprocessors (SMs) across "
            "two dies, "
            "providing 640 fifth-generation Tensor Cores with 15 PetaFLOPS dense NVFP4 compute' (= peak_fp4_flop_per_s "
            "1.5e16). Its memory and specification sections are past the excerpt; the '288 GB of HBM3e per GPU', "
            "'8 TB/s per GPU' and '1.8 TB/s' NVLink quoted from that blog were seen only in copies (nomadterrace.com, "
            "news.fishaiapp.com). Now traced to NVIDIA documents: peak_fp4 and tdp_w (MLPerf, r-reg13b). Not traced: "
            f"the dense TF32, FP16/BF16 and FP8 peaks and the bandwidth {EXCERPT}."),
        "B300 (HGX B300)": (
            f"NVIDIA's Blackwell Ultra blog ({NV_BLOG}, read from its beginning) gives the chip's 15 PF dense NVFP4, "
            "not the HGX B300 part's figures; NVIDIA's NIM support matrix "
            "(https://docs.nvidia.com/nim/large-language-models/2.0.6/day-0/support-matrix-day-0.html, docs corpus, "
            "read) lists 'NVIDIA-B300-SXM6-AC' with GPU memory '288' (GB per GPU), the installed HBM (the row keeps "
            "the 270 GiB of the MLPerf accelerator name 'B300-SXM-270GB'; not changed). No NVIDIA document with the "
            f"HGX B300 column's peaks, bandwidth or TDP was reachable {EXCERPT}."),
        "TPU v7 (Ironwood)": (
            "Google's Compute Engine page 'TPU machines in accelerator-optimized machine family' "
            "(docs.cloud.google.com/compute/docs/tpus/tpu-machines.md.txt) is in the docs corpus, but its excerpt "
            "ends before the table; a verbatim snapshot of that page in a public repository (GitHub index file id "
            "69649649021; its header gives the SHA-256 of the original HTML; 'Last updated 2026-08-26 UTC') has the "
            "table 'TPU architecture specifications': TPU7x 'HBM bandwidth per chip (GBps) | 7380', 'Bidirectional "
            "inter-chip interconnect (ICI) bandwidth per chip (GBps) | 1200', 'Peak compute per chip (BF16) (TFLOPs) | "
            "2307', '(FP8) | 4614', 'HBM capacity per chip (GiB) | 192', equal to this row. A copy of Google's page, "
            "not Google's page: the bandwidth and ICI figures stay read through a copy."),
        "DGX Spark (GB10)": (
            "searched the docs and pages corpora for the DGX Spark product page and the DGX Spark User Guide hardware "
            "page (docs.nvidia.com/dgx/dgx-spark/): only copies (dgx-spark.warehack.ing, ai-infrastructure.net) and "
            "news of the Hot Chips 2025 talk; the NVIDIA/dgx-spark-playbooks snapshot (0db7c141) has no FP4 peak or "
            "power figure (grep for PFLOP, TDP, W). Missing: NVIDIA's statement of the FP4 peak and the 140 W."),
        "H200 NVL 141GB": (
            "searched the pages corpus for NVIDIA's H200 page (NVL column) and the H200 NVL product brief: resellers "
            "and blogs only (saulelectric.com, openmetal.io, uvation.com). Missing: an NVIDIA document with the NVL "
            "column's peaks, 4.8 TB/s and 600 W."),
        "V100 SXM2 32GB": (
            "NVIDIA's Tensor Core page (https://www.nvidia.co.uk/data-center/tensorcore/, pages corpus, read): "
            "'Volta is equipped with 640 Tensor Cores ... That delivers up to 125 TFLOPS for training and inference' "
            "(= peak_fp16). The V100 product page and datasheet were not found (GTC 2017 news copies only, with the "
            "pre-launch 15/120 TFLOPS). Missing: NVIDIA's FP32 15.7 TFLOPS, 900 GB/s, 300 W, 32 GB."),
        "V100 SXM2 16GB": (
            "as the V100 SXM2 32GB row: NVIDIA's Tensor Core page confirms the 125 Tensor TFLOPS (peak_fp16); the "
            "datasheet's FP32, bandwidth, capacity and TDP were not found in an NVIDIA document."),
        "V100 PCIe 16GB": (
            "searched the pages corpus for NVIDIA's V100 page/datasheet (PCIe column: 112 Tensor TFLOPS, 14 FP32, "
            "250 W): news copies and spec databases only. Missing: that NVIDIA document."),
        "MI250X": (
            "AMD's ROCm blog 'Finite difference method - Laplacian part 1' (ROCm/rocm-blogs @c9a603f2, "
            "blogs/high-performance-computing/finite-difference/laplacian-part1/README.md, read): 'a MI250X has a "
            "theoretical bandwidth per GCD of `1638.4 GB/s`' (two GCDs: 3,276.8 GB/s; the row keeps AMD's rounded "
            "3.2 TB/s). The MI250X's peak engine clock (its peaks: 220 CUs x the MI250 page's FLOPS/clock/CU) and "
            "its 560 W are in no AMD document read here (ROCm @e396b489, rocprofiler-compute @95b600ea and "
            "rocm-blogs grepped for MI250X with GHz/MHz/TFLOPS/W)."),
        "MI325X": (
            "ROCm @e396b489 and rocprofiler-compute @95b600ea hold no MI325X clock or power; AMD's MLPerf Inference "
            "v5.1 system description (mlcommons/inference_results_v5.1 "
            "closed/AMD/systems/8xMI325X_2xEPYC_9575F_1.json, read) states 'AMD Instinct MI325X 256GB HBM3e', "
            "accelerator_frequency empty, no power. Missing: AMD's "
            "peak engine clock (peaks), 6 TB/s, 1,000 W."),
        "MI355X": (
            "ROCm's MI350-series page only links AMD's CDNA 4 white paper (rocm.docs.amd.com "
            "_sources/reference/gpu-arch/mi350.rst); AMD's MLPerf Inference v6.0 summary states 'AMD Instinct MI355X "
            "288GB HBM3e' only. Missing: the white paper / data sheet (peaks, 8 TB/s, 1,400 W)."),
        "MI350X": "as the MI355X row: no AMD document with the MI350X peaks, bandwidth or power was reachable.",
        "RTX PRO 6000 Blackwell": (
            "searched the pages corpus for NVIDIA's RTX PRO 6000 product page / datasheet: news and resellers only "
            "(gpu.name, hardware-corner.net, topcpu.net). Missing: an NVIDIA document with the FP32 125 TFLOPS, the "
            "4,000 AI TOPS, 1,792 GB/s and 600 W."),
        "Xeon Platinum 8480+": (
            "searched the pages corpus for Intel's ARK page of the 8480+: leaks and news only; the AMX rates (2,048 "
            "INT8 / 1,024 BF16 operations per cycle per core) were seen only as PyTorch's tutorial quoting Intel's "
            "'Accelerate AI Workloads with Intel AMX' (pytorch.org recipes/amx). Missing: ARK (cores, clocks, 350 W, "
            "memory channels) and Intel's AMX document."),
    },
    "models": {
        "Mistral Large 2 (2407)": (
            "searched the docs corpus (which holds Hugging Face file pages) for "
            "mistralai/Mistral-Large-Instruct-2407's config.json: only re-uploads and quantizations citing it "
            "(_name_or_path mistralai/Mistral-Large-Instruct-"
            "2407: hidden 12288, 88 layers, 96 heads, 8 KV heads, FFN 28672, vocab 32768), which agree with the row."),
        "Mixtral 8x22B": (
            "searched the docs corpus for mistralai/Mixtral-8x22B-v0.1's own config.json: not found; the "
            "mistral-community page (refs/pr/19, committed by Hugging Face staff) and re-uploads agree with the row."),
        "Gopher 280B": (
            "searched the pages corpus for Rae et al. 2021's Table 1: the arXiv abstract (huggingface.co/papers/"
            "2112.11446) and summaries (sh-tsang.medium.com, leonericsson.github.io) only; the summaries agree "
            "(RMSNorm, relative positions, 32,000 vocabulary, 2048 context)."),
        "Kimi K2": (
            "searched the docs corpus for moonshotai/Kimi-K2-Instruct's config.json page: not found (NVIDIA's "
            "Megatron-Bridge KimiK2Provider page agrees: 61 layers, hidden 7168, 384 experts of 2048, 64 heads, "
            "top-8)."),
    },
    "clusters": {
        "xAI Colossus (100K H100, Memphis)": (
            "searched the pages corpus for NVIDIA's newsroom release of 2024-10-28: re-posts only (vmblog.com, "
            "storagereview.com, fierceelectronics.com), which agree (100,000 Hopper GPUs, Spectrum-X, three tiers)."),
        "AWS Trn2 UltraServer (64 Trainium2)": (
            "searched the docs corpus for AWS Neuron's Trn2 / Trainium2 architecture pages: the Trainium2 page "
            "(awsdocs-neuron.readthedocs-hosted.com v2.29.0 _sources/about-neuron/arch/neuron-hardware/trainium2.rst) "
            "is reachable only to its compute table, without the UltraServer's instance count or EFAv3 bandwidth; "
            "AWS's Trn2 page was not found."),
        "Meta Llama 3 production cluster, InfiniBand (24K H100)": (
            "searched the pages corpus for Meta's engineering blog 'Building Meta's GenAI Infrastructure': mirrors "
            "only (dailyzsocialmedianews.com, newsscore.com); the Llama 3 paper's abstract page states no fabric."),
    },
}


def _promote(frame: pl.DataFrame, table: str) -> pl.DataFrame:
    for name, (url, sentence) in PROMOTE.get(table, {}).items():
        this = pl.col("name") == name
        done = pl.col("notes").fill_null("").str.starts_with(sentence)
        segments = pl.col("notes").fill_null("").str.replace_all(FLAG, "").str.split(" | ")
        kept = segments.list.eval(pl.element().filter(~pl.element().str.contains(READ_THROUGH)
                                                      & ~pl.element().str.contains("(r-reg13)", literal=True)
                                                      & (pl.element().str.strip_chars() != "")))
        new_notes = pl.concat_list([pl.lit([sentence]), kept]).list.join(" | ")
        frame = frame.with_columns(
            notes=pl.when(this & ~done).then(new_notes).otherwise("notes"),
            source_url=pl.when(this).then(pl.lit(url)).otherwise("source_url"),
            source_quality=pl.when(this).then(pl.lit("primary")).otherwise("source_quality"),
            last_verified=pl.when(this).then(pl.lit(VERIFIED)).otherwise("last_verified"))
    return frame


def _tried(frame: pl.DataFrame, table: str) -> pl.DataFrame:
    secondary = pl.col("source_quality") == "secondary"
    for name, text in TRIED[table].items():
        sentence, hit = f"{TAG}: {text} {STAYS}", secondary & (pl.col("name") == name)
        frame = frame.with_columns(
            notes=pl.when(hit & ~pl.col("notes").fill_null("").str.contains(sentence, literal=True))
            .then(pl.concat_str([pl.col("notes").fill_null(""), pl.lit(" | " + sentence)]))
            .otherwise("notes"))
    return frame


def apply_table(table: str, registry: Path | None) -> tuple[int, int, int]:
    frame = read_catalog(table, registry)
    names = set(PROMOTE.get(table, {})) | set(TRIED.get(table, {}))
    if missing := sorted(names - set(frame["name"].to_list())):
        sys.exit(f"r-reg13d: {table} has no row named {missing}")
    before_n = int((frame["source_quality"] == "secondary").sum())
    old = frame.rows()
    frame = _tried(_promote(frame, table), table)
    changed = sum(a != b for a, b in zip(old, frame.rows()))
    if changed:
        write_catalog(frame, table, registry, source=f"{HERE / 'apply.py'} PROMOTE, TRIED")
    return before_n, int((frame["source_quality"] == "secondary").sum()), changed


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--registry", type=Path, default=None, help="registry directory (default: the bundled one)")
    args = parser.parse_args(argv)
    for table in ("hardware", "models", "clusters"):
        before_n, after_n, changed = apply_table(table, args.registry)
        print(f"{table}: secondary {before_n} -> {after_n}", file=sys.stderr)
        print(f"{table} rows changed: {changed}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
