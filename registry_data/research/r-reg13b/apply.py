"""Issue 13 (r-reg13b): a second primary-source pass over the secondary hardware rows, and which parameter count
the four rounding model cards are compared with. Re-runnable and idempotent; run from the repository root after
the earlier research scripts (r-reg13 last):

    .venv/bin/python registry_data/research/r-reg13b/apply.py [--registry DIR]

Searched again (2026-12-03, workspace tools: docs and pages corpora, exact-string search; the repository
snapshots named below): NVIDIA datasheets / product pages / docs.nvidia.com user guides, AMD product pages and
Instinct data sheets, rocm.docs.amd.com, Google's TPU7x page and blog, Intel's Gaudi 3 white paper, Apple's
newsroom, the Kimi K2 technical report and the Hugging Face model pages. The corpora return resellers, news and
wikis for every datasheet; no row's full set of figures (dense peaks per precision, capacity, bandwidth, TDP) was
found in a primary document, so no row is promoted and no ``last_verified`` moves. What IS primary and new:

* NVIDIA's own MLPerf Inference v5.1 system descriptions (submitter NVIDIA, ``closed/NVIDIA/systems/*.json`` in
  mlcommons/inference_results_v5.1 at commit 965182b0) state each part's memory capacity and its TGP:
  B200 '180 GB', 'B200 TGP 1000W'; GB200 '186 GB', 'GB200 TGP 1200W'; GB300 '288 GB', 'GB300 TGP 1400W'.
  B200 and GB200 equal the rows (capacity read as GiB, as the rows read NVIDIA's HBM 'GB'), and so do the three
  TGPs. For the GB300 two NVIDIA documents disagree: the MLPerf description's '288 GB' and NVIDIA's own DGX Station
  notes (NVIDIA/dgx-spark-playbooks @0db7c141, nvidia/station-ai-skills/assets/AGENTS.md: 'GB300 GPU ... up to 279
  GB HBM3e, 20 PFLOPS sparse FP4'), which equals the row's 279 GiB. The row keeps 279 GiB (the product
  documentation's figure, and the smaller) and says so; no value changes.
* Intel's Gaudi documentation (docs.habana.ai, hl-smi page) gives Gaudi 3's settable power limit, 450 W to 850 W,
  a different quantity from the 900 W TDP of Intel's Hot Chips deck (read through a re-host); noted, not used.
* Models: each of the four rows whose card rounds says, in one dated sentence, which count its
  ``params_published`` is and how far the card's label is (no value changes).

It prints the secondary count of the hardware table before and after (stderr) and the number of rows changed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import polars as pl

from pipeline.catalogs.io import read_catalog, write_catalog

HERE = Path(__file__).resolve().parent
TAG = "2026-12-03 (r-reg13b)"
MLPERF = ("https://github.com/mlcommons/inference_results_v5.1/blob/965182b03376a00fcae415c54e560e1c83937932/"
          "closed/NVIDIA/systems/")
STATION = ("https://github.com/NVIDIA/dgx-spark-playbooks/blob/0db7c141da60870ca6ed5c99436320f4e35cd531/nvidia/"
           "station-ai-skills/assets/AGENTS.md")
HLSMI = ("https://docs.habana.ai/en/latest/Management_and_Monitoring/Embedded_System_Tools_Guide/"
         "System_Management_Interface_Tool.html")
STAYS = "The row stays source_quality secondary (its peaks are still read through transcriptions); last_verified " \
        "does not move."


def _mlperf(file: str, capacity: str, tgp: str, verdict: str) -> str:
    return (f"{TAG}: NVIDIA's own MLPerf Inference v5.1 system description ({MLPERF}{file}, submitter NVIDIA, "
            f"read) states accelerator_memory_capacity '{capacity}' and hw_notes '{tgp}'. {verdict} "
            "Traced to a primary NVIDIA document: memory_capacity_bytes and tdp_w. Not traced: every peak, "
            f"memory_bandwidth_bytes_per_s, the NVLink figures. {STAYS}")


HARDWARE_NOTES: dict[str, str] = {
    "B200 (HGX B200)": _mlperf("B200-SXM-180GBx8_TRT.json", "180 GB", "B200 TGP 1000W",
                               "Both equal this row (180 GiB as NVIDIA's HBM 'GB' is read here; 1,000 W)."),
    "GB200 NVL72 GPU": _mlperf("GB200-NVL72_GB200-186GB_aarch64x72_TRT.json", "186 GB", "GB200 TGP 1200W",
                               "Both equal this row (186 GiB; 1,200 W)."),
    "GB300 NVL72 GPU": _mlperf("GB300-NVL72_GB300-288GB_aarch64x72_TRT.json", "288 GB", "GB300 TGP 1400W",
                               "The TGP equals this row's 1,400 W. The capacity does not equal the row's 279 GiB, "
                               f"but another NVIDIA document does: NVIDIA's DGX Station notes ({STATION}, read) say "
                               "'GB300 GPU - Blackwell Ultra (SM103), up to 279 GB HBM3e, 20 PFLOPS sparse FP4' "
                               "(20 PF sparse = the rack's 1,440 PF / 72 above; the dense 15 PF is not in it). The "
                               "two NVIDIA figures disagree (288 GB names the MLPerf SKU, 'GB300-288GB'); the row "
                               "keeps 279 GiB, the product documentation's and the smaller, until a driver total "
                               "or the datasheet settles it."),
    "Gaudi 3": f"{TAG}: Intel's Gaudi documentation, hl-smi page ({HLSMI}, read), gives Gaudi 3's settable power "
    "limit: 'Minimum power limit: 450W', 'Maximum power limit: 850W'. That is a different quantity from the 900 W "
    "(air-cooled OAM) TDP of Intel's Hot Chips 2024 deck above, which stays (read through a re-host); the limit is "
    "noted, not used. Traced to Intel documentation: scaleup_link_bandwidth_bytes_per_s (Network Configuration "
    "page, as above). Not traced: every peak, capacity, bandwidth, TDP. The row stays source_quality secondary; "
    "last_verified does not move.",
}


_COUNT = "Count compared under issue 13's 1 % rule:"
MODEL_NOTES: dict[str, str] = {
    "Mistral Small 3 (24B, 2501)": f"{TAG}: {_COUNT} the text decoder with its input embedding and untied output "
    "head, 23,572,403,200 = the parameters in Mistral's released bf16 weights (model.safetensors.index.json "
    "total_size / 2, as above); the config gives the same count to the parameter. The card's '24B' is a size "
    "label (the count is 1.8 % under it); no exact count from Mistral's own page could be opened here.",
    "Mistral Nemo 12B": f"{TAG}: {_COUNT} the text decoder with its input embedding and untied output head, "
    "12,247,782,400 = the parameters in the released bf16 weights (safetensors total / 2, as above); the config "
    "gives the same count. The card's '12B' is a size label (the count is 2.1 % over it).",
    "Phi-4 (14B)": f"{TAG}: {_COUNT} the text decoder with its input embedding and untied output head, "
    "14,659,507,200 = the parameters in Microsoft's released bf16 weights (total_size / 2, as above); the config "
    "gives the same count. The card's and technical report's (arXiv:2412.08905) '14B' is the nominal size (the "
    "count is 4.7 % over it).",
    "Kimi K2": f"{TAG}: {_COUNT} none independent of this row's config is available: Moonshot states '1T total' "
    "(model card, GitHub README; the config count is 2.6 % over it) and, as quoted by secondary pages, '1.04 "
    "trillion' in the technical report (arXiv:2507.20534; the config count would be 1.3 % under it), but the "
    "report itself could not be read (the MoonshotAI/Kimi-K2 snapshot at c6157be lists tech_report.pdf without "
    "its content) and no copy of the weights' index (total_size) or of the Hugging Face page's count was found. "
    "params_published stays the computed count of the text decoder with its input embedding and untied output "
    "head (1,026,408,209,408; no MTP layer in the config) and the row is the one transformer whose count is not "
    "checked against a published exact figure.",
}


def _append(frame: pl.DataFrame, notes: dict[str, str]) -> pl.DataFrame:
    for name, sentence in notes.items():
        this = pl.col("name") == name
        frame = frame.with_columns(
            pl.when(this & ~pl.col("notes").fill_null("").str.contains(sentence, literal=True))
            .then(pl.concat_str([pl.col("notes").fill_null(""), pl.lit(" | " + sentence)]))
            .otherwise(pl.col("notes")).alias("notes"))
    return frame


def _check_names(frame: pl.DataFrame, table: str, names: set[str]) -> None:
    if missing := sorted(names - set(frame["name"].to_list())):
        sys.exit(f"r-reg13b: {table} has no row named {missing}")


def apply_hardware(registry: Path | None) -> tuple[int, int, int]:
    """Annotate the hardware rows; returns (secondary before, secondary after, rows changed)."""
    frame = read_catalog("hardware", registry)
    _check_names(frame, "hardware", set(HARDWARE_NOTES))
    before_n = int((frame["source_quality"] == "secondary").sum())
    old = frame.rows()
    frame = _append(frame, HARDWARE_NOTES)
    changed = sum(a != b for a, b in zip(old, frame.rows()))
    if changed:
        write_catalog(frame, "hardware", registry, source=f"{HERE / 'apply.py'} HARDWARE_NOTES")
    return before_n, int((frame["source_quality"] == "secondary").sum()), changed


def apply_models(registry: Path | None) -> int:
    frame = read_catalog("models", registry)
    _check_names(frame, "models", set(MODEL_NOTES))
    old = frame["notes"].to_list()
    frame = _append(frame, MODEL_NOTES)
    changed = sum(a != b for a, b in zip(old, frame["notes"].to_list()))
    if changed:
        write_catalog(frame, "models", registry, source=f"{HERE / 'apply.py'} MODEL_NOTES")
    return changed


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--registry", type=Path, default=None, help="registry directory (default: bundled)")
    args = parser.parse_args(argv)
    before_n, after_n, hardware_changed = apply_hardware(args.registry)
    models_changed = apply_models(args.registry)
    print(f"hardware secondary rows: {before_n} -> {after_n}", file=sys.stderr)
    print(f"rows changed: hardware {hardware_changed}, models {models_changed}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
