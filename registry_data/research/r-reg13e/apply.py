"""Issue 13 (r-reg13e): a primary-source pass over the secondary catalog rows through NEW routes: vendors' own
GitHub repositories fetched whole (``fetch``) or read from the GitHub index (``read_file``/``find_files``), and
the docs/pages corpora. A row moves to ``source_quality = primary`` only when every figure of it traces to a vendor
document read here, quoted in the row's notes (and in ``quotes.md`` next to this script). Re-runnable and
idempotent; run from the repository root after the earlier research scripts (r-reg13d last):

    .venv/bin/python registry_data/research/r-reg13e/apply.py [--registry DIR]

What was read (2026-12-04):

* aws-neuron/aws-neuron-sdk @81ce03ae (AWS's Neuron documentation source, fetched; snapshot of 2026-08-21):
  about-neuron/arch/neuron-hardware/trn2-arch.rst and trainium2.rst.
* ROCm/ROCm (fetched): the newest stored snapshot is still e396b489 (2025-03-21), the one r-reg13d read; it predates
  gfx950 (MI350 series). ROCm/rocm-blogs (fetched: c9a603f2, 2024-10; the GitHub index holds newer posts) and
  ROCm/rocprofiler-compute (fetched: 95b600ea, 2025-01; index: src/utils/mi_gpu_spec.yaml @10c3c1ec).
* mlcommons/training_results_v5.1 @4da2d1cd (index): AMD's MI355X, MI350X and MI325X system descriptions.
* HabanaAI's repositories in the index (Intel_Gaudi3_Software, vllm-hpu-extension); NVIDIA/TensorRT-LLM could not
  be fetched (its snapshot is 2.5 GB, over the 500 MB limit).

Rows promoted (``PROMOTE``): clusters 'AWS Trn2 UltraServer (64 Trainium2)'. No figure changes value, so no
validation figure moves. The hardware rows searched stay secondary with one dated sentence each (``TRIED``).

It prints the number of secondary rows before and after per table (stderr) and the number of rows changed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

import polars as pl

from pipeline.catalogs.io import read_catalog, write_catalog

HERE = Path(__file__).resolve().parent
TAG = "2026-12-04 (r-reg13e)"
VERIFIED = dt.date(2026, 12, 4)
NEURON = ("https://github.com/aws-neuron/aws-neuron-sdk/blob/81ce03ae261e12925e53437a0f690478e6366155/about-neuron/"
          "arch/neuron-hardware/")
# registry_data/research/r-quality/apply.py READ_THROUGH: a promoted row keeps no sentence matching it
READ_THROUGH = r"(?i)\bread (via|through)\b|transcri(ption|bed)|\bnot opened\b|re-host"
FLAG = r"\s*source_quality secondary: [^|]*?source_url names the primary source they quote\."
STALE = "stays source_quality secondary"

TRN2_ULTRA = (
    f"{TAG}: every figure traced to AWS's Neuron documentation source, read here; source_quality primary. "
    f"'Amazon EC2 Trn2 Architecture' ({NEURON}trn2-arch.rst, AWS's own repository, the source of "
    "awsdocs-neuron.readthedocs-hosted.com about-neuron/arch/neuron-hardware/trn2-arch.html; the source_url): "
    "'A Trn2 UltraServer comprises four trn2u.48xlarge instances connected together via the NeuronLink-v3 chip-to-chip "
    "interconnect' (nodes 4) and 'a total of 64 Trainium2 chips to be interconnected within a Trn2 UltraServer' "
    "(scaleup_domain_size 64, the NeuronLink-v3 domain); 'Trn2 instances are powered by 16 Trainium2 chips' "
    "(accelerators_per_node 16, on a '4x4, 2D Torus'; chips with the same coordinates in the four instances form a "
    "ring); table 'Trn2 instance specifications', column 'trn2.48xlarge / trn2u.48xlarge', row 'EFAv3 bandwidth "
    "(Gbps)': '3,200' -> nic_bandwidth_bits_per_s 3.2e12 per instance, i.e. per node (one logical interface: "
    "nics_per_node 1, the convention); rows 'Intra-instance NeuronLink-v3 bandwidth (GB/sec/chip)': '1,024' and "
    "'Inter-instance NeuronLink-v3 bandwidth (GB/sec/chip)': '256' (the slower ring between instances, which the "
    "Trainium2 row's single per-chip link figure does not capture). The table's 'Trn2 UltraServer' column repeats "
    "'3,200' for EFAv3 where its per-server rows are four times the instance's (64 chips, 6,144 GiB, 185.6 TB/s), so "
    "that column's EFAv3 figure is ambiguous (per server or per instance); the row uses the instance column, which "
    "is unambiguous for a node. Oversubscription, "
    "storage bandwidth, scale-out latency and MTBF are not published -> null. Cross-check of the Trainium2 hardware row "
    f"with 'Trainium2 Architecture' ({NEURON}trainium2.rst): '1,299 FP8 TFLOPS', '667 BF16/FP16/TF32 TFLOPS', '181 "
    "FP32 TFLOPS', '96 GiB of device memory with 2.9 TB/sec' equal that row, and 16 x each is the trn2 instance "
    "column (20.8 PF FP8, 10.7 PF BF16, 1,536 GiB, 46.4 TB/s). The earlier notes quoted these figures from a public "
    "note of AWS's Trn2 page and Neuron's best-practices page; every figure agreed, and those sentences are replaced by "
    "this one.")

# table -> name -> (new source_url, the first note sentence replacing every note segment that reads through a copy)
PROMOTE: dict[str, dict[str, tuple[str, str]]] = {
    "clusters": {"AWS Trn2 UltraServer (64 Trainium2)": (f"{NEURON}trn2-arch.rst", TRN2_ULTRA)},
}

STAYS = "The row stays source_quality secondary; last_verified does not move."
ROCM_SNAP = ("fetch github:ROCm/ROCm gives the same snapshot r-reg13d read (e396b489, 2025-03-21), older than "
             "gfx950, so its GPU specifications table has no MI350-series row and no clock or power column")
SPEC_YAML = ("ROCm/rocprofiler-compute src/utils/mi_gpu_spec.yaml (GitHub index, commit 10c3c1ec, read: AMD's profiler "
             "'tracks MI gpu spec') lists per model only its gfx target, performance-counter blocks, partition modes and "
             "chip ids")
MLPERF = ("AMD's MLPerf Training v5.1 system descriptions (mlcommons/training_results_v5.1 @4da2d1cd, AMD/systems/"
          "MI355X_EPYC_9575F_pytorch.json, MI350X_EPYC_9575F_pytorch.json, MI325X_EPYC_9575F_pytorch_llama2_70b.json, "
          "submitter AMD, read) state accelerator_memory_capacity '288 GB' (MI355X, MI350X) and '256 GB' (MI325X) with "
          "'HBM3e', and leave accelerator_frequency, hw_notes and power fields empty")
TRT = ("NVIDIA/TensorRT-LLM (whose documentation states GPU figures) could not be fetched: its snapshot is 2.5 GB, over "
       "the 500 MB fetch limit")
NVIDIA_ROWS = ["V100 SXM2 32GB", "B200 (HGX B200)", "GB200 NVL72 GPU", "RTX 4090", "B300 (HGX B300)",
               "GB300 NVL72 GPU", "L40", "H200 NVL 141GB", "V100 SXM2 16GB", "DGX Spark (GB10)",
               "RTX PRO 6000 Blackwell", "RTX 5090", "RTX 3090", "RTX A6000", "RTX 6000 Ada", "A40", "V100 PCIe 16GB",
               "A10G", "H20", "H800 SXM5 80GB"]
GAUDI = ("searched HabanaAI's GitHub repositories (41 in the index; Intel_Gaudi3_Software mme/README.md read, "
         "vllm-hpu-extension docs listed) and the code corpus for Intel's Gaudi figures: none states the chip's peaks, "
         "HBM bandwidth or TDP (news and third-party notes only).")
# table -> name -> what this pass tried for that row and why it stays secondary
TRIED: dict[str, dict[str, str]] = {
    "hardware": {
        "MI355X": (
            f"{ROCM_SNAP}; {SPEC_YAML} (gfx950: 'mi350', 'mi355', 'mi358'), no clock, bandwidth or power; AMD's ROCm "
            "blog 'Optimizing LLM Workloads: AMD Instinct MI355X GPUs Drive Competitive Performance' (2 Dec 2025, "
            "ROCm/rocm-blogs @7552daef blogs/artificial-intelligence/ROCm7-MI355X-training-performance/README.md, read) "
            f"gives throughput ratios against B200 only; {MLPERF}; the pages corpus holds AMD's CDNA 3 and CDNA 2 white papers "
            "but not the CDNA 4 white paper (news and blogs only). Missing, as before: the CDNA 4 white paper / MI355X "
            "data sheet (peaks, 8 TB/s, 1,400 W)."),
        "MI350X": (
            f"as the MI355X row: {ROCM_SNAP}; {SPEC_YAML}; {MLPERF}; no AMD document with the MI350X peaks, 8 TB/s or 1,000 W "
            "was found."),
        "MI325X": (
            f"{SPEC_YAML} ('mi325x' under gfx942, chip id 29861); find_string 'Instinct MI325X accelerator' in the "
            f"GitHub index: third-party notes citing AMD's product page only; {MLPERF}. Missing, as before: AMD's peak engine "
            "clock (peaks), 6 TB/s, 1,000 W."),
        "MI250X": (
            f"{SPEC_YAML} ('mi250x' under gfx90a, chip id 29704), no clock; {ROCM_SNAP}. Missing, as before: AMD's "
            "MI250X peak engine clock (peaks) and 560 W."),
        "TPU v7 (Ironwood)": (
            "searched the docs corpus again: Google's TPU7x page (docs.cloud.google.com/tpu/docs/tpu7x, also the "
            "?authuser variant) ends its excerpt inside the specification table before the HBM bandwidth row; GKE's "
            "'Ironwood (TPU7x)' concept page (kubernetes-engine/docs/concepts/tpu-ironwood, English and seven "
            "translations) states no figures; find_string '7,380 GBps' in the GitHub index finds only the three copies "
            "r-reg13c named. No public Google repository with the table was found."),
        "Gaudi 3": GAUDI,
        "Gaudi 2": GAUDI,
        "H100 PCIe 80GB": (
            "the pages corpus holds NVIDIA's H100 PCIe product brief PB-11133-001_v02 only as re-hosts (manuals.plus, "
            "two copies); their overview states 'maximum thermal design power (TDP) level of 350 W' and 'memory "
            "bandwidth greater than 2,000 gigabytes per second (GBps)' (= tdp_w, memory_bandwidth_bytes_per_s), but "
            f"the specification table is past the excerpt and the copy is not NVIDIA's; {TRT}."),
        "A30": f"searched the pages corpus for NVIDIA's A30 datasheet: A100/A40 reseller and news pages only; {TRT}.",
        **{name: f"{TRT}; not otherwise searched in this pass." for name in NVIDIA_ROWS},
    },
}


def _promote(frame: pl.DataFrame, table: str) -> pl.DataFrame:
    for name, (url, sentence) in PROMOTE.get(table, {}).items():
        this = pl.col("name") == name
        done = pl.col("notes").fill_null("").str.starts_with(sentence)
        segments = pl.col("notes").fill_null("").str.replace_all(FLAG, "").str.split(" | ")
        kept = segments.list.eval(pl.element().filter(~pl.element().str.contains(READ_THROUGH)
                                                      & ~pl.element().str.contains(STALE, literal=True)
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
    for name, text in TRIED.get(table, {}).items():
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
        sys.exit(f"r-reg13e: {table} has no row named {missing}")
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
    for table in ("hardware", "clusters"):
        before_n, after_n, changed = apply_table(table, args.registry)
        print(f"{table}: secondary {before_n} -> {after_n}", file=sys.stderr)
        print(f"{table} rows changed: {changed}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
