"""Issue 13 (r-reg13d): a third primary-source pass over the secondary catalog rows. A row moves to
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

Rows promoted: MI300A and MI210 (see ``PROMOTE``). A promoted row's notes are rewritten: the sentences that read
figures through transcriptions (and the r-quality sentence that flagged them) are replaced by one dated sentence
tracing every figure to the documents above; the sentences about other columns (NCCL/RCCL alpha, memory unit) are
kept. No figure changes value (each transcribed figure equals the primary-derived one at its printed precision).

Rows still secondary: each gets one dated sentence naming what was tried in this pass (``TRIED``).

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

# name -> (new source_url, the first note sentence replacing every note segment that reads through a copy)
PROMOTE: dict[str, tuple[str, str]] = {
    "MI300A": (f"{ROCM}conceptual/gpu-arch/mi300.md", MI300A),
    "MI210": (BLOG, MI210),
}

STAYS = "The row stays source_quality secondary; last_verified does not move."
# name -> what this pass tried for that row and why it stays secondary
TRIED: dict[str, str] = {}


def _promote(frame: pl.DataFrame) -> pl.DataFrame:
    for name, (url, sentence) in PROMOTE.items():
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


def _tried(frame: pl.DataFrame) -> pl.DataFrame:
    secondary = pl.col("source_quality") == "secondary"
    for name, text in TRIED.items():
        sentence, hit = f"{TAG}: {text} {STAYS}", secondary & (pl.col("name") == name)
        frame = frame.with_columns(
            notes=pl.when(hit & ~pl.col("notes").fill_null("").str.contains(sentence, literal=True))
            .then(pl.concat_str([pl.col("notes").fill_null(""), pl.lit(" | " + sentence)]))
            .otherwise("notes"))
    return frame


def apply_hardware(registry: Path | None) -> tuple[int, int, int]:
    frame = read_catalog("hardware", registry)
    if missing := sorted((set(PROMOTE) | set(TRIED)) - set(frame["name"].to_list())):
        sys.exit(f"r-reg13d: hardware has no row named {missing}")
    before_n = int((frame["source_quality"] == "secondary").sum())
    old = frame.rows()
    frame = _tried(_promote(frame))
    changed = sum(a != b for a, b in zip(old, frame.rows()))
    if changed:
        write_catalog(frame, "hardware", registry, source=f"{HERE / 'apply.py'} PROMOTE, TRIED")
    return before_n, int((frame["source_quality"] == "secondary").sum()), changed


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--registry", type=Path, default=None, help="registry directory (default: the bundled one)")
    args = parser.parse_args(argv)
    before_n, after_n, changed = apply_hardware(args.registry)
    print(f"hardware: secondary {before_n} -> {after_n}", file=sys.stderr)
    print(f"hardware rows changed: {changed}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
