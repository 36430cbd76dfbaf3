"""Issue 13 item 5 (r-reg13): primary-source pass over the hardware rows flagged ``source_quality = secondary``.
Re-runnable and idempotent; run from the repository root after the earlier research scripts:

    .venv/bin/python registry_data/research/r-reg13/apply.py [--registry DIR]

What was searched (2026-12-03, workspace search tools: docs/pages corpora, exact-string search, and the ROCm/ROCm
repository snapshot at commit e396b4898f459db094bfd60b876f419f77eb9f09, NVIDIA/dgx-spark-playbooks at 0db7c141): the vendor datasheet, product page or
documentation page of every secondary row. No vendor document that states ALL of a row's dense peaks, capacity,
bandwidth and TDP could be opened, so no row is promoted to ``primary`` and no ``last_verified`` moves. What the
script does:

1. ``NOTES``: one dated sentence appended once to each secondary row, naming the primary document that is missing
   and, where part of the row WAS read in a primary document in this pass (AMD's ROCm docs source; Google's TPU7x
   page), which figures that document confirms (equal to the row; no value changes).
2. ``DEMOTE``: MI350X was ``primary`` by its URL (ROCm's spec table), but its peaks are derived from news reports
   (its own notes cite wccftech and world-today-news): flagged ``secondary``. Its appended sentence says "read
   through" so ``r-quality/apply.py`` (whose ``READ_THROUGH`` rule matches that phrase) keeps it secondary on a re-run.

It prints the secondary count before and after (stderr) and the number of rows changed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import polars as pl

from pipeline.catalogs.io import read_catalog, write_catalog

HERE = Path(__file__).resolve().parent
TAG = "2026-12-03 (r-reg13)"
ROCM = ("https://github.com/ROCm/ROCm/blob/e396b4898f459db094bfd60b876f419f77eb9f09/docs/reference/"
        "gpu-arch-specs.rst")
ROCM_MI250 = ("https://github.com/ROCm/ROCm/blob/e396b4898f459db094bfd60b876f419f77eb9f09/docs/conceptual/"
              "gpu-arch/mi250.md")
TPU7X = "https://docs.cloud.google.com/tpu/docs/tpu7x"
SPARK_PLAYBOOK = ("https://github.com/NVIDIA/dgx-spark-playbooks/blob/0db7c141da60870ca6ed5c99436320f4e35cd531/nvidia/"
                  "cutile-kernels/README.md")
STAYS = "The row stays source_quality secondary; last_verified does not move."


def _amd(cap: str, cache: str, cus: str, missing: str) -> str:
    return (f"{TAG}: AMD's own ROCm documentation source, 'Accelerator and GPU hardware specifications' table "
            f"({ROCM}), read here, states VRAM {cap}, {cus} and {cache}, equal to memory_capacity_bytes and "
            f"sram_bytes. Missing primary document: {missing}. {STAYS}")


CDNA2_RATE = (f"ROCm's MI250 microarchitecture page ({ROCM_MI250}, table 'Peak-performance capabilities of the MI250 "
              "OAM') gives Matrix FP16/BF16/INT8 1024 FLOPS/clock/CU and 362.1 TFLOPS for the 208-CU MI250 at its "
              "1.7 GHz peak clock, and HBM2e 'peak memory bandwidth of 1.6 TB/sec per GCD' (3.2 TB/sec for the "
              "two-GCD OAM), which equals this row's memory_bandwidth_bytes_per_s for its GCD count")

NOTES: dict[str, str] = {
    # --- the new accelerators of issue 13 ---
    "B300 (HGX B300)": f"{TAG}: searched for NVIDIA's HGX B300 / Blackwell Ultra datasheet and the DGX B300 user guide "
    "in the docs and pages corpora: only resellers' and blogs' transcriptions (server-parts.eu, acecloud.ai, "
    "fibermall.com) appear, and they disagree (FP4, INT8). Missing primary document: the NVIDIA HGX page's B300 "
    "column or the Blackwell Ultra datasheet PDF. NVIDIA's playbook repository "
    f"({SPARK_PLAYBOOK}, 'Platform Specifications' table) lists a 'B300' with 132 SMs, 192 GB HBM3e and 8 TB/s: "
    "a tutorial's table that contradicts NVIDIA's MLPerf submissions ('B300-SXM-270GB'), not used. "
    f"{STAYS}",
    "GB300 NVL72 GPU": f"{TAG}: searched for NVIDIA's GB300 NVL72 page / datasheet: not in the corpora (NeMo "
    "Megatron-Bridge GB300 recipe pages on docs.nvidia.com state no hardware figures). Missing primary document: "
    f"https://www.nvidia.com/en-us/data-center/gb300-nvl72/ specification table. {STAYS}",
    "MI355X": f"{TAG}: ROCm's MI350-series microarchitecture page (rocm.docs.amd.com _sources/reference/gpu-arch/"
    "mi350.rst, seen in the docs corpus) only links AMD's CDNA 4 whitepaper; the ROCm snapshot read here "
    "(e396b489, 2025-03) predates gfx950. Missing primary documents: AMD's MI355X product page / data sheet "
    "(peaks, FP4, TBP) and the CDNA 4 whitepaper (amd.com/content/dam/amd/en/documents/instinct-tech-docs/"
    f"white-papers/amd-cdna-4-architecture-whitepaper.pdf). {STAYS}",
    "TPU v7 (Ironwood)": f"{TAG}: Google's TPU7x page ({TPU7X}, docs corpus, read again) states per chip BF16 2307 "
    "TFLOPs, FP8 4614 TFLOPs, HBM capacity 192 GiB and 9216 chips per pod, equal to the row; the excerpt ends at "
    "the 'HBM bandwidth per chip' row (also in the page's .md.txt copy and in translated copies tried), so "
    "memory_bandwidth_bytes_per_s and the ICI link stay on transcriptions. Missing primary document (part): the "
    "rest of that same table "
    f"(HBM bandwidth, ICI bandwidth); Google publishes no TDP. {STAYS}",
    "A10G": f"{TAG}: searched again for the NVIDIA/AWS A10G datasheet (d1.awsstatic.com PDF): not in the corpora. "
    f"Missing primary document: that datasheet (peaks, bandwidth, TDP). {STAYS}",
    "L40": f"{TAG}: searched for NVIDIA's L40 datasheet / product page: only resellers (mullet.se, itcreations.com, "
    "yobitel.com) appear. Missing primary document: the NVIDIA L40 datasheet PDF or "
    f"https://www.nvidia.com/en-us/data-center/l40/. {STAYS}",
    "H20": f"{TAG}: no NVIDIA document for the H20 exists in the corpora (NVIDIA published none). {STAYS}",
    "H800 SXM5 80GB": f"{TAG}: searched again; NVIDIA's H800 datasheet is reachable only as a reseller copy. "
    f"Missing primary document: an NVIDIA-hosted H800 datasheet. {STAYS}",
    "H200 NVL 141GB": f"{TAG}: searched again; NVIDIA's H200 page (NVL column) and the H200 NVL product brief are "
    f"not in the corpora. Missing primary document: https://www.nvidia.com/en-us/data-center/h200/. {STAYS}",
    "RTX 5090": f"{TAG}: NVIDIA's RTX Blackwell GPU architecture whitepaper (Appendix A Table 3) is not in the "
    f"corpora; the figures stay on the transcriptions named above. Missing primary document: that PDF. {STAYS}",
    "RTX PRO 6000 Blackwell": f"{TAG}: NVIDIA's RTX PRO 6000 Blackwell datasheet / RTX Blackwell PRO architecture "
    f"whitepaper are not in the corpora. Missing primary document: either PDF. {STAYS}",
    "DGX Spark (GB10)": f"{TAG}: searched for the DGX Spark product page and the DGX Spark User Guide hardware "
    "page (docs.nvidia.com/dgx/dgx-spark/): neither is in the corpora; only pages quoting them (ai-infrastructure.net, "
    "dgx-spark.warehack.ing, news reports of the Hot Chips 2025 talk). Missing primary documents: "
    "https://www.nvidia.com/en-us/products/workstations/dgx-spark/ and docs.nvidia.com/dgx/dgx-spark/hardware.html "
    "(FP4); NVIDIA's Hot Chips 2025 slides (140 W). Read instead, for memory only: NVIDIA's own repository "
    f"NVIDIA/dgx-spark-playbooks ({SPARK_PLAYBOOK}, 'Platform Specifications' table, DGX Spark (GB10) column): "
    "'Memory | 128 GB LPDDR5x', 'Memory Bandwidth | 273 GB/s', 'SMs | 48', equal to memory_capacity_bytes (read "
    f"as GiB) and memory_bandwidth_bytes_per_s. {STAYS}",
    "MI300A": _amd("128 GiB", "L3 256 MiB", "228 CUs (38 per XCD)",
                   "AMD's MI300A data sheet / product page (peaks, 5.3 TB/s, TDP 550 W)"),
    "V100 SXM2 16GB": f"{TAG}: NVIDIA's V100 datasheet PDF (the source_url) is not in the corpora. Missing primary "
    f"document: that PDF. {STAYS}",
    "V100 PCIe 16GB": f"{TAG}: NVIDIA's V100 datasheet PDF and the V100 PCIe product brief are not in the corpora. "
    f"Missing primary document: either PDF. {STAYS}",
    # --- the older secondary rows ---
    "V100 SXM2 32GB": f"{TAG}: the V100 datasheet PDF is not in the corpora. Missing primary document: that PDF. "
    f"{STAYS}",
    "H100 PCIe 80GB": f"{TAG}: NVIDIA's H100 product brief PB-11133 / H100 datasheet are not in the corpora. "
    f"Missing primary document: either PDF. {STAYS}",
    "B200 (HGX B200)": f"{TAG}: the Blackwell datasheet (nvdam.widen.net) is not in the corpora. Missing primary "
    f"document: that PDF. {STAYS}",
    "GB200 NVL72 GPU": f"{TAG}: the Blackwell datasheet (nvdam.widen.net) is not in the corpora. Missing primary "
    f"document: that PDF. {STAYS}",
    "RTX 4090": f"{TAG}: NVIDIA's Ada GPU architecture whitepaper is not in the corpora. Missing primary document: "
    f"that PDF. {STAYS}",
    "MI250X": _amd("128 GiB", "L2 16 MiB (8 per GCD)", "220 CUs (110 per GCD)",
                   "AMD's MI250X data sheet (peaks, bandwidth, TDP)") + " Cross-check, not a primary statement of "
    f"the MI250X peak: {CDNA2_RATE}; 220 CUs x 1024 x 1.7 GHz = 383.0 TFLOPS, the row's FP16 (the MI250X clock is "
    "not stated on that page).",
    "MI325X": _amd("256 GiB", "L3 256 MiB", "304 CUs (38 per XCD)",
                   "AMD's MI325X product page / data sheet (peaks, 6 TB/s, 1000 W)"),
    "MI210": _amd("64 GiB", "L2 8 MiB", "104 CUs",
                  "AMD's MI210 data sheet (peaks, 1.6 TB/s, TDP)") + " Cross-check, not a primary statement of the "
    f"MI210 peak: {CDNA2_RATE}; 104 CUs x 1024 x 1.7 GHz = 181.0 TFLOPS, the row's FP16 (the MI210 clock is not "
    "stated on that page).",
    "Gaudi 2": f"{TAG}: Intel's Gaudi docs (docs.habana.ai Gaudi Architecture page) state no peak FLOP/s, "
    f"bandwidth or TDP. Missing primary document: Intel's Gaudi 2 white paper / data sheet. {STAYS}",
    "Gaudi 3": f"{TAG}: Intel's Gaudi docs (docs.habana.ai) and Hugging Face's Gaudi pages state only '128GB of "
    f"memory on Gaudi 3'. Missing primary document: Intel's Gaudi 3 AI accelerator white paper. {STAYS}",
    "M4 Max": f"{TAG}: Apple's newsroom release of 2024-10-30 (M4 Pro and M4 Max) is not in the corpora; only news "
    "copies (macrumors.com, techmoran.com, neowin.net) quote its '128GB ... 546GB/s'. Missing primary document: "
    f"Apple's press release (capacity, bandwidth); Apple publishes no GPU FLOP/s. {STAYS}",
    "A17 Pro": f"{TAG}: Apple's A17 Pro press release is not in the corpora. Missing primary document: that release; "
    f"Apple publishes no GPU FLOP/s. {STAYS}",
    "Xeon Platinum 8480+": f"{TAG}: Intel's ARK page for the Xeon Platinum 8480+ is not in the corpora. Missing "
    f"primary document: that page (cores, clocks, TDP, memory channels). {STAYS}",
    "RTX 3090": f"{TAG}: NVIDIA's GA102 (Ampere) whitepaper is not in the corpora. Missing primary document: that "
    f"PDF. {STAYS}",
    "RTX A6000": f"{TAG}: NVIDIA's GA102 whitepaper and RTX A6000 datasheet are not in the corpora. Missing primary "
    f"document: either PDF. {STAYS}",
    "RTX 6000 Ada": f"{TAG}: NVIDIA's RTX 6000 Ada datasheet / Ada whitepaper are not in the corpora. Missing primary "
    f"document: either PDF. {STAYS}",
    "A40": f"{TAG}: NVIDIA's A40 datasheet PDF is not in the corpora. Missing primary document: that PDF. {STAYS}",
    "A30": f"{TAG}: NVIDIA's A30 product page / datasheet are not in the corpora. Missing primary document: either. "
    f"{STAYS}",
    "MI350X": f"{TAG}: source_quality set to secondary: ROCm's spec table (the source_url) gives only VRAM, CUs and "
    "caches; every peak here is derived from figures read through news reports (wccftech, world-today-news, as said "
    "above). Missing primary documents: AMD's MI350X data sheet and the CDNA 4 whitepaper.",
}

DEMOTE = ("MI350X",)


def apply(registry: Path | None) -> tuple[int, int, int]:
    """Append the notes and demote; returns (secondary before, secondary after, rows changed)."""
    frame = read_catalog("hardware", registry)
    names = set(frame["name"].to_list())
    if missing := sorted(set(NOTES) - names):
        sys.exit(f"r-reg13: hardware has no row named {missing}")
    before_n = int((frame["source_quality"] == "secondary").sum())
    old = frame.select("notes", "source_quality").rows()
    for name, sentence in NOTES.items():
        this = pl.col("name") == name
        frame = frame.with_columns(
            pl.when(this & ~pl.col("notes").fill_null("").str.contains(sentence, literal=True))
            .then(pl.concat_str([pl.col("notes").fill_null(""), pl.lit(" | " + sentence)]))
            .otherwise(pl.col("notes")).alias("notes"))
    frame = frame.with_columns(
        pl.when(pl.col("name").is_in(DEMOTE)).then(pl.lit("secondary"))
        .otherwise(pl.col("source_quality")).alias("source_quality"))
    changed = sum(a != b for a, b in zip(old, frame.select("notes", "source_quality").rows()))
    if changed:
        write_catalog(frame, "hardware", registry, source=f"{HERE / 'apply.py'} NOTES/DEMOTE")
    after_n = int((frame["source_quality"] == "secondary").sum())
    return before_n, after_n, changed


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--registry", type=Path, default=None, help="registry directory (default: bundled)")
    args = parser.parse_args(argv)
    before_n, after_n, changed = apply(args.registry)
    print(f"hardware secondary rows: {before_n} -> {after_n}", file=sys.stderr)
    print("rows changed:", changed)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
