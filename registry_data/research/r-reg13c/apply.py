"""Issue 13 (r-reg13c): the date each accelerator cost's price applies (``accelerator_costs.as_of``), Kimi K2's
count compared with the parameters of Moonshot's released weights, and the GB300's memory. Re-runnable and
idempotent; run from the repository root after the earlier research scripts (r-reg13b last):

    .venv/bin/python registry_data/research/r-reg13c/apply.py [--registry DIR]

* ``accelerator_costs.as_of`` (new column): the date of the source that states each price, as the row's notes and
  the sources below give it. Rule: a stated day is used; a source that states only a month gives that month's
  first day (never later than the true date, so ``mlsys catalog stale`` errs toward listing it); a row with a
  list and a node price of different dates takes the older. A row without a price keeps a null ``as_of``.
  Each dated row's notes say which date was used and why. ``last_verified`` does not move (no price source was
  re-read as a whole; the dates come from the notes and the pages named in each sentence).
* Kimi K2: see ``KIMI`` below.
* GB300 NVL72 GPU: the two NVIDIA memory figures are two quantities (installed 288 GB, exposed 278 GB); see
  ``GB300`` below.
* TPU v7 (Ironwood): the HBM bandwidth its cited table states (7,380 GBps); see ``TPU7`` below.
* Hardware secondary rows: searched again for the vendor documents the r-reg13 sentences name as missing; none was
  found in the corpora, so no row is promoted (secondary 34 -> 34) and no ``last_verified`` moves.

It prints the number of rows changed per table.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

import polars as pl

from pipeline.catalogs.io import read_catalog, write_catalog

HERE = Path(__file__).resolve().parent
TAG = "2026-12-03 (r-reg13c)"
MONTH = "only the month is stated, so its first day is used"

# accelerator -> (as_of, the sentence saying where the date comes from)
AS_OF: dict[str, tuple[dt.date, str]] = {
    "H100 SXM5 80GB": (dt.date(2023, 5, 1), "the node price (SemiAnalysis, 'AI Server Cost Analysis', published May "
                       f"2023 as Epoch AI's notebook states: {MONTH}) is older than the list price (Tae Kim's post "
                       "of 2023-08-16, the date encoded in the post's id, twitter.com/firstadopter/status/"
                       "1691877797487165443, linked from the same notebook; TechSpot reported it that month)"),
    "H100 PCIe 80GB": (dt.date(2023, 8, 15), "Tom's Hardware's article (the Financial Times report): the cited copy "
                       "shows no date; a verbatim re-post of it is dated 2023-08-15 (citylife.capetown/ai/nvidia-to-"
                       "sell-550000-h100-compute-gpus-in-2023-report/344256)"),
    "A100 SXM4 40GB": (dt.date(2020, 5, 1), f"the node price (DGX A100 at its launch, May 2020: {MONTH}) is older "
                       "than the list price (CNBC, Feb 2023)"),
    "B200 (HGX B200)": (dt.date(2024, 10, 3), "the list price (CNBC, republished 2024-10-03, the date in the cited "
                        "URL) is older than the node price (the blog of 2025-03-16, the date in its URL)"),
    "MI300X": (dt.date(2024, 2, 1), f"Citigroup's estimate, reported Feb 2024: {MONTH}"),
    "Gaudi 3": (dt.date(2024, 6, 1), "Intel's kit list price, given at Computex 2024 (The Next Platform, "
                f"2024-06-13: 'at the recent Computex'): {MONTH} (June 2024)"),
    "V100 SXM2 32GB": (dt.date(2018, 3, 1), f"the DGX-2 price announced at GTC, March 2018: {MONTH}"),
    "RTX 4090": (dt.date(2022, 10, 12), "the launch MSRP applies from the card's on-sale day, 2022-10-12 (PC "
                 "Gamer)"),
    "M2 Ultra": (dt.date(2023, 6, 1), f"the Mac Studio (2023) starting price, June 2023 (iMore): {MONTH}"),
    "M4 Max": (dt.date(2025, 3, 1), f"the Mac Studio (Mar 2025) starting price: {MONTH}"),
}

# Kimi K2: the count of Moonshot's released weights, as two independent readings of the safetensors give it
KIMI_RELEASED = 1_026_408_232_448
KIMI = (f"{TAG}: Count compared under issue 13's 1 % rule: the parameters of Moonshot's released weights "
        "(moonshotai/Kimi-K2-Instruct, block-FP8 safetensors), 1,026,408,232,448: the logical parameter count "
        "(each weight, norm and router bias once; the FP8 weight_scale_inv tensors not counted) that a third-party "
        "audit computed from all 61 shard headers fetched at Moonshot's pinned revision ('K2-Instruct | 61 | 139644 "
        "| 1026408232448 | 1029173256720', shards, tensors, logical parameters, payload bytes; search-tool file "
        "id 68577105039), and that Fireworks AI's model list gives for kimi-k2-instruct ('paramCount': "
        "1026408232448, search-tool file id 66729435508), two independent readings that agree to the parameter. "
        "The config's count (this row's formula) is 1,026,408,209,408, 23,040 under it: the 60 MoE layers x 384 "
        "e_score_correction_bias router biases the formula leaves out (-0.000002 %); params_published is now the "
        "released count (supersedes the r-reg13b sentence). The Hugging Face page's '1.03T' (1026.5B as an "
        "aggregator copies it) also counts the FP8 scale tensors: 62,495,192 more, by the config's shapes and the "
        "[128, 128] weight blocks. Moonshot's other figures: '1T total' (card, one significant figure, +2.6 %) and "
        "'1.04T total / 32.6B activated' in the technical report's architecture table (arXiv:2507.20534, read "
        "through a transcription of the table: MaoSong2022/MaoSong2022.github.io, content/post/kimi-k2/index.md); "
        "the config count is 1.3 % under 1.04T, which is not the released weights' count (none of the releases "
        "adds a multi-token-prediction layer: num_nextn_predict_layers 0).")


# GB300 NVL72 GPU: which of NVIDIA's memory figures is the capacity an NVL72 GPU has
GIB = 1024 ** 3
GB300_GIB = 278
PLAYBOOKS = "https://github.com/NVIDIA/dgx-spark-playbooks/blob/0db7c141da60870ca6ed5c99436320f4e35cd531/nvidia/"
GB300 = (f"{TAG}: the memory figures resolved (memory_capacity_bytes 279 -> {GB300_GIB} GiB). Two quantities: 288 GB "
         "is the HBM3e installed (the SKU name NVIDIA submits to MLPerf, 'GB300-288GB', above); what an NVL72 GPU "
         "exposes is 278 GB, in every NVIDIA figure for it found: the rack's 'up to 20 TB' / 72 = 277.8 (NVIDIA's "
         "page, through the transcriptions above); NVIDIA's NVML mock profile of the 'NVIDIA GB300 NVL' board, "
         "memoryBytes 298500227072 = 278 GiB exactly, whose full-GPU MIG profile is '7g.278gb', MemorySizeMB 284672 "
         "= 278 GiB (NVIDIA-copyright Go test in the GitHub index, search-tool file id 68328578718, read; a mock's "
         "profile, not a driver reading), the same rule that gives the B200 (180 GiB, 7g.180gb) and GB200 (186 GiB, "
         "7g.186gb) rows here; Google Cloud's A4X Max page says 'up to 20 TB of total GPU memory per NVL72 domain, "
         "which provides roughly 279 GB per GPU' (a copy of cloud.google.com's GPU machine-types page, search-tool "
         "file id 59672125728, read), the source of the 279 with verda's table. The DGX Station notes r-reg13b "
         f"quoted ('up to 279 GB HBM3e', {PLAYBOOKS}station-ai-skills/assets/AGENTS.md) are about another board, the "
         "DGX Station's GB300, and NVIDIA's own playbooks disagree about it ('252 GB of HBM3e', "
         f"{PLAYBOOKS}station-comfyui/README.md; full-GPU MIG profile '7g.278gb' on driver 59x, '7g.251gb' on 61x, "
         f"{PLAYBOOKS}station-ai-skills/assets/skills/mig-configure/SKILL.md): not evidence for the NVL72 GPU; that "
         "sentence is superseded. No nvidia-smi total of an NVL72 GB300 was found (usable_memory_bytes stays null). "
         "The row stays source_quality secondary (peaks through transcriptions); last_verified does not move.")


# TPU v7: the bandwidth the row's own source (Google's TPU7x table) states, as three copies of that table give it
TPU7_BW = 7_380e9
TPU7 = (f"{TAG}: memory_bandwidth_bytes_per_s 7.37e12 -> 7.38e12: the TPU7x table this row cites states 'HBM "
        "bandwidth per chip' 7,380 GBps, as three independent copies of it give it (a Japanese summary of Google "
        "Cloud's TPU7x GA note, '192 GiB の HBM 容量と 7,380 GBps の HBM 帯域幅', search-tool file id 52920551184; a Chinese "
        "hardware table, 'HBM 192 GiB, 带宽 7,380 GBps', id 62553742794; a note citing "
        "docs.cloud.google.com/tpu/docs/tpu7x, 'Ironwood 2,307 TF bf16 and 7,380 GBps', id 71148422828); the 7.37 "
        "TB/s was the figure of Google's April 2025 announcement as transcriptions quote it (-0.14 %). The page's "
        "own bandwidth row is still not read (the excerpt stops before it), so the row stays source_quality "
        "secondary; last_verified does not move.")


def _append(frame: pl.DataFrame, key: str, notes: dict[str, str]) -> pl.DataFrame:
    for name, sentence in notes.items():
        this = pl.col(key) == name
        frame = frame.with_columns(
            pl.when(this & ~pl.col("notes").fill_null("").str.contains(sentence, literal=True))
            .then(pl.concat_str([pl.col("notes").fill_null(""), pl.lit(" | " + sentence)]))
            .otherwise(pl.col("notes")).alias("notes"))
    return frame


def _check_names(frame: pl.DataFrame, table: str, key: str, names: set[str]) -> None:
    if missing := sorted(names - set(frame[key].to_list())):
        sys.exit(f"r-reg13c: {table} has no row named {missing}")


def apply_costs(registry: Path | None) -> int:
    frame = read_catalog("accelerator_costs", registry)  # an as_of column read as null where the file lacks it
    _check_names(frame, "accelerator_costs", "accelerator", set(AS_OF))
    priced = frame.filter(pl.col("list_price_usd").is_not_null() | pl.col("node_price_usd").is_not_null())
    if unknown := sorted(set(priced["accelerator"]) - set(AS_OF)):
        sys.exit(f"r-reg13c: accelerator_costs rows {unknown} have a price but no as_of here")
    old = frame.rows()
    dates = pl.DataFrame({"accelerator": list(AS_OF), "_as_of": [d for d, _ in AS_OF.values()]})
    frame = (frame.join(dates, on="accelerator", how="left", maintain_order="left")
             .with_columns(pl.col("_as_of").alias("as_of")).drop("_as_of"))
    frame = _append(frame, "accelerator", {name: f"{TAG}: as_of {date.isoformat()}: {why}."
                                           for name, (date, why) in AS_OF.items()})
    changed = sum(a != b for a, b in zip(old, frame.rows()))  # as_of replaced in place: same column order
    if changed:
        write_catalog(frame, "accelerator_costs", registry, source=f"{HERE / 'apply.py'} AS_OF")
    return changed


def apply_models(registry: Path | None) -> int:
    frame = read_catalog("models", registry)
    _check_names(frame, "models", "name", {"Kimi K2"})
    old = frame.rows()
    frame = frame.with_columns(pl.when(pl.col("name") == "Kimi K2").then(pl.lit(float(KIMI_RELEASED)))
                               .otherwise(pl.col("params_published")).alias("params_published"))
    frame = _append(frame, "name", {"Kimi K2": KIMI})
    changed = sum(a != b for a, b in zip(old, frame.rows()))
    if changed:
        write_catalog(frame, "models", registry, source=f"{HERE / 'apply.py'} KIMI")
    return changed


def apply_hardware(registry: Path | None) -> int:
    frame = read_catalog("hardware", registry)
    _check_names(frame, "hardware", "name", {"GB300 NVL72 GPU", "TPU v7 (Ironwood)"})
    old = frame.rows()
    frame = frame.with_columns(
        pl.when(pl.col("name") == "GB300 NVL72 GPU").then(pl.lit(float(GB300_GIB * GIB)))
        .otherwise(pl.col("memory_capacity_bytes")).alias("memory_capacity_bytes"),
        pl.when(pl.col("name") == "TPU v7 (Ironwood)").then(pl.lit(TPU7_BW))
        .otherwise(pl.col("memory_bandwidth_bytes_per_s")).alias("memory_bandwidth_bytes_per_s"))
    frame = _append(frame, "name", {"GB300 NVL72 GPU": GB300, "TPU v7 (Ironwood)": TPU7})
    changed = sum(a != b for a, b in zip(old, frame.rows()))
    if changed:
        write_catalog(frame, "hardware", registry, source=f"{HERE / 'apply.py'} GB300")
    return changed


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--registry", type=Path, default=None, help="registry directory (default: bundled)")
    args = parser.parse_args(argv)
    costs = apply_costs(args.registry)
    models = apply_models(args.registry)
    hardware = apply_hardware(args.registry)
    print(f"rows changed: accelerator_costs {costs}, models {models}, hardware {hardware}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
