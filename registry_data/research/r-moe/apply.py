"""State the multi-token prediction modules of the Megatron-Bridge DeepSeek-V3 training rows
(issue 12): the new measurements column ``mtp_layers`` (the training study's ``training.mtp_layers``).

Megatron-Bridge's performance summary names each DeepSeek-V3 run's variant: "DeepSeekV3 (w/o MTP)"
rows trained none; "DeepSeekV3 (w/ MTP)" and the plain "DeepSeekV3" rows of the 26.02 table ran the
recipe as it is, and src/megatron/bridge/recipes/deepseek/deepseek_v3.py (``_deepseek_v3_common``)
sets ``model_cfg.mtp_num_layers = 1`` (scripts/performance/configs/deepseek/deepseek_llm_pretrain.py
builds every DeepSeek-V3 performance config from it). The variant is read from each row's notes
("Variant: ..."), which quote the table. Every other row keeps a null (0 modules). Re-runnable.

    .venv/bin/python registry_data/research/r-moe/apply.py [registry_dir]
"""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl

from pipeline.catalogs.io import write_catalog
from pipeline.catalogs.paths import bundled_registry
from pipeline.catalogs.schemas import CATALOGS

WITHOUT = "Variant: DeepSeekV3 (w/o MTP)"
WITH = ("Variant: DeepSeekV3 (w/ MTP)", "Variant: DeepSeekV3.")


def main(registry: Path) -> Path:
    old = pl.read_parquet(registry / "measurements.parquet")
    if "mtp_layers" not in old.columns:
        old = old.with_columns(pl.lit(None, pl.Int64).alias("mtp_layers"))
    notes = pl.col("notes").fill_null("")
    bridge = pl.col("source_url").fill_null("").str.contains("Megatron-Bridge") & (pl.col("model") == "DeepSeek-V3")
    with_mtp = pl.any_horizontal(notes.str.contains(w, literal=True) for w in WITH)
    mtp = (pl.when(bridge & notes.str.contains(WITHOUT, literal=True)).then(pl.lit(0, pl.Int64))
           .when(bridge & with_mtp).then(pl.lit(1, pl.Int64)).otherwise(pl.col("mtp_layers")))
    out = old.with_columns(mtp_layers=mtp)
    stated = out.filter(pl.col("mtp_layers").is_not_null())
    print(f"mtp_layers stated on {stated.height} rows: " + ", ".join(
        f"{n} = {v}" for n, v in stated.select("name", "mtp_layers").iter_rows()), file=sys.stderr)
    schema = CATALOGS["measurements"].to_schema().columns
    return write_catalog(out.select(list(schema)), "measurements", registry)


if __name__ == "__main__":
    print(main(Path(sys.argv[1]) if len(sys.argv) > 1 else bundled_registry()))
