"""Issue 13, closing gaps (r-reg): DeepSeek-V3.1, Llama 4 text-decoder counts, a GB300 NVL72 cluster, and
source notes on the rows that rest on secondary copies. Re-runnable and idempotent; run from the
repository root after the earlier research scripts (it replays r-patterns itself):

    .venv/bin/python registry_data/research/r-reg/apply.py [--registry DIR]

Steps (sources in README.md of this folder):
1. ``r-patterns/apply.py``: Llama 4 Scout / Maverick rows, whose published count is now the card's total
   minus the vision encoder computed from ``vision_config`` (the text decoder, as issue 13's acceptance asks).
2. ``mlsys catalog import --hf-config configs/deepseek-v3.1.json`` (adds or replaces the DeepSeek-V3.1 row).
3. ``clusters_add.csv``: whole rows appended when the name is absent (a second run adds none).
4. ``NOTES``: one sentence appended once to the notes of a named row; no value changes.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import polars as pl

from pipeline.catalogs.io import read_catalog, write_catalog

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent.parent
MLSYS = Path(sys.executable).parent / "mlsys"
READ_ON = "2026-12-03"
HF = "https://huggingface.co"
DSV3 = "https://github.com/deepseek-ai/DeepSeek-V3/blob/9b4e9788e4a3a731f7567338ed15d3ec549ce03b"
AIC = ("https://github.com/ai-dynamo/aiconfigurator/blob/095f58a51c4ca8e61b66ec108d86f223f8d559ce/aic-core/src/"
       "aiconfigurator_core/model_configs/nvidia--DeepSeek-V3.1-NVFP4_config.json")

DEEPSEEK_V31_NOTES = (
    "Published: model card (deepseek-ai/DeepSeek-V3.1 README, Model Downloads table) '#Total Params 671B, "
    "#Activated Params 37B, Context Length 128K' and 'The model structure of DeepSeek-V3.1 is the same as "
    "DeepSeek-V3' (card read in a verbatim copy, akash-network/awesome-akash DeepSeek-V3.1/README.md @6b006b4); "
    "MTP module excluded as in the DeepSeek-V3 row. Config: nvidia/DeepSeek-V3.1-NVFP4's config.json (NVIDIA's "
    f"quantised release of this model; architecture keys as in HF config.json), copied verbatim in {AIC}; every "
    f"architecture key agrees with DeepSeek's own {DSV3}/inference/configs/config_v3.1.json (dim 7168, inter_dim "
    "18432, moe_inter_dim 2048, 61 layers, 3 dense, 128 heads, 256 routed + 1 shared experts, top-8, q_lora 1536, "
    "kv_lora 512, qk_nope 128, qk_rope 64, v_head 128, vocab 129280; scale_fmt ue8m0 is V3.1's FP8 scale format). "
    "max_position_embeddings 163840 as in the V3 and R1 configs (the card says 128K).")

# table, row name, sentence appended once to its notes
NOTES: list[tuple[str, str, str]] = [
    ("hardware", "A10G",
     "2026-12-03 (r-reg): AWS's own documentation confirms the memory and the per-instance count: 'G5 instances "
     "... feature up to 8 NVIDIA A10G GPUs' (https://docs.aws.amazon.com/AWSEC2/latest/WindowsGuide/"
     "accelerated-computing-instances.html) and 24 GiB of GPU memory per A10G (g5.xlarge 1 GPU 24 GiB ... "
     "g5.48xlarge 8 GPUs 192 GiB, AWS Batch user guide 'GPU jobs', https://docs.aws.amazon.com/batch/latest/"
     "userguide/gpu-jobs.html, read in a translated copy of the page), which is memory_capacity_bytes. No "
     "primary source for the peaks, bandwidth or TDP exists in the corpora (NVIDIA publishes no A10G datasheet; "
     "AWS's pages state no FLOP/s), so the row stays source_quality secondary and last_verified does not move."),
    ("hardware", "H20",
     "2026-12-03 (r-reg): searched again for an NVIDIA document (datasheet, product page, partner brief) in the "
     "docs and pages corpora: none exists; NVIDIA never published H20 specifications publicly. The row stays "
     "source_quality secondary on the copies named above."),
    ("hardware", "H800 SXM5 80GB",
     "2026-12-03 (r-reg): searched again for NVIDIA's H800 datasheet in the docs and pages corpora: only "
     "third-party comparisons (a network vendor, a blog, an encyclopedia) quote it; no NVIDIA-hosted copy is "
     "reachable. The row stays source_quality secondary on the copies named above."),
    ("models", "Kimi K2",
     "2026-12-03 (r-reg): a verbatim copy of moonshotai/Kimi-K2-Instruct's config.json (https://github.com/"
     "ai-dynamo/aiconfigurator/blob/095f58a51c4ca8e61b66ec108d86f223f8d559ce/aic-core/src/aiconfigurator_core/"
     "model_configs/moonshotai--Kimi-K2-Instruct_config.json: model_type kimi_k2, 61 layers, first_k_dense_replace "
     "1, 384 routed + 1 shared experts of 2048, top-8, 64 heads, q_lora 1536, kv_lora 512, vocab 163840, "
     "max_position_embeddings 131072, num_nextn_predict_layers 0) imports to exactly this row (every column "
     "equal), so the transcribed config above is confirmed."),
    ("hardware", "GB300 NVL72 GPU",
     "2026-12-03 (r-reg): NVIDIA's NVL72 AI Factory Enterprise RA (https://docs.nvidia.com/"
     "enterprise-reference-architectures/nvl72-ai-factory/latest/components.html, read) confirms the domain: "
     "'9 NVSwitch trays for full non-blocking P2P connectivity of all 72 Blackwell Ultra GPUs, with a total "
     "aggregated bandwidth of 130 TB/s' (= 1.8 TB/s bidirectional per GPU, the 900 GB/s per direction here) and "
     "'4 Blackwell Ultra GPUs and 2 Grace CPUs per tray'. The per-GPU peaks, memory and TDP are still read through "
     "the transcriptions above (the GB300 NVL72 product page is not in the corpora), so the row stays secondary."),
]


def run(cmd: list[str]) -> str:
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    if done.returncode:
        sys.exit(f"{' '.join(cmd[:4])} ...: {done.stdout}{done.stderr}")
    return done.stdout


def add_rows(registry: Path | None) -> dict[str, int]:
    added = {}
    for path in sorted(HERE.glob("*_add.csv")):
        table = path.stem.removesuffix("_add")
        frame = read_catalog(table, registry)
        header = pl.read_csv(path, n_rows=0).columns
        new = pl.read_csv(path, schema={c: frame.schema[c] for c in header}).filter(
            ~pl.col("name").is_in(frame["name"].implode()))
        if new.height:
            write_catalog(pl.concat([frame, new], how="diagonal").select(frame.columns), table, registry,
                          source=str(path))
        added[table] = new.height
    return added


def add_notes(registry: Path | None) -> int:
    changed = 0
    for table in dict.fromkeys(t for t, _, _ in NOTES):
        frame = read_catalog(table, registry)
        before = frame["notes"].to_list()
        for _, name, sentence in (n for n in NOTES if n[0] == table):
            this = pl.col("name") == name
            if frame.filter(this).height != 1:
                sys.exit(f"r-reg NOTES: {table} has no single row {name!r}")
            frame = frame.with_columns(
                pl.when(this & ~pl.col("notes").fill_null("").str.contains(sentence, literal=True))
                .then(pl.concat_str([pl.col("notes").fill_null(""), pl.lit(" | " + sentence)]))
                .otherwise(pl.col("notes")).alias("notes"))
        if frame["notes"].to_list() != before:
            write_catalog(frame, table, registry, source=f"{HERE / 'apply.py'} NOTES")
            changed += sum(a != b for a, b in zip(before, frame["notes"].to_list()))
    return changed


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--registry", type=Path, default=None)
    args = parser.parse_args(argv)
    extra = ["--registry", str(args.registry)] if args.registry else []
    run([sys.executable, str(HERE.parent / "r-patterns" / "apply.py"), *extra])
    out = run([str(MLSYS), "catalog", "import", "--hf-config", str(HERE / "configs" / "deepseek-v3.1.json"),
               "--name", "DeepSeek-V3.1", "--source-url", f"{HF}/deepseek-ai/DeepSeek-V3.1/blob/main/config.json",
               "--params-source-url", f"{HF}/deepseek-ai/DeepSeek-V3.1", "--params-published", "671000000000",
               "--family", "deepseek-v3", "--release-year", "2025", "--last-verified", READ_ON,
               "--notes", DEEPSEEK_V31_NOTES, *extra])
    print(out.splitlines()[0] if out else "DeepSeek-V3.1 imported")
    print("rows added:", add_rows(args.registry))
    print("notes appended:", add_notes(args.registry))
    # source_quality of the new rows by the catalog's rule (r-quality), as for every other row
    run([sys.executable, str(HERE.parent / "r-quality" / "apply.py"), *([str(args.registry)] if args.registry else [])])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
