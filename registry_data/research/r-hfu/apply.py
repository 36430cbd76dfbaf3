"""State what the A100 Megatron-LM rows of the measurements catalog ran (issue 12, HFU): the four
Narayanan et al. 2021 rows (SC21, arXiv 2104.04473) and the eight Korthikanti et al. 2022 rows
(arXiv 2205.05198). Adds the measurement columns flash_attention, dropout and lm_head_on_last_stage
(pipeline.catalogs.kernel_schema.TrainingRunColumns; null on every other row) where missing.

- sequence_parallel false on the Narayanan rows: introduced a year later (Korthikanti et al. 2022,
  §4.2.2, "in addition to tensor parallelism"); the SC21 scripts (NVIDIA/Megatron-LM
  examples/sc21/run_table_1.sh, run_figure_12.sh) pass no such flag. The rows left it null, which
  a prediction reads as on when tp > 1.
- flash_attention false: both papers predate FlashAttention (Dao et al. 2022, arXiv 2205.14135, May
  2022; the SC21 scripts run in container nvcr.io/nvidia/pytorch:20.12, examples/sc21/SRUN.sh);
  Megatron ran its fused scale-mask-softmax over the stored scores (Narayanan §4.2), whose 5as/h
  activation term Korthikanti's Table 2 counts and selective recomputation exists to drop (§4.3).
- dropout true: Megatron-LM's defaults (megatron/arguments.py: --hidden-dropout 0.1,
  --attention-dropout 0.1; run_table_1.sh adds no dropout flag); Korthikanti §4.1 counts the
  dropout masks of every layer.
- lm_head_on_last_stage true: Megatron-LM gives every stage L/p layers and the last one the output
  layer (Narayanan §2.2; Megatron-Core's account_for_loss_in_pipeline_split defaults to False).

Re-runnable:

    .venv/bin/python registry_data/research/r-hfu/apply.py [registry_dir]
"""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl

from pipeline.catalogs.io import write_catalog
from pipeline.catalogs.kernel_schema import TRAINING_RUN_COLUMNS
from pipeline.catalogs.paths import bundled_registry
from pipeline.catalogs.schemas import CATALOGS

NARAYANAN = ("narayanan2021-table2-gpt3-175b-384gpus-hfu", "narayanan2021-table2-gpt3-175b-768gpus-hfu",
             "narayanan2021-table2-gpt3-175b-1536gpus-hfu", "narayanan2021-table1-megatron-1t-3072gpus-hfu")
KORTHIKANTI = ("korthikanti2022-table5-175b-full-recompute-step", "korthikanti2022-table5-175b-present-work-step",
               "korthikanti2022-table5-175b-mfu", "korthikanti2022-table5-175b-hfu",
               "korthikanti2022-table5-1t-full-recompute-step", "korthikanti2022-table5-1t-present-work-step",
               "korthikanti2022-table5-1t-mfu", "korthikanti2022-table5-1t-hfu")
MARK = "Stated (r-hfu):"
NOTE = (f" {MARK} no FlashAttention (predates it; fused softmax over stored scores), dropout 0.1 (Megatron-LM"
        " defaults), L/p layers per stage with the LM head on the last (Megatron-LM's split).")
SP_NOTE = " Sequence parallelism off: introduced after this paper (Korthikanti et al. 2022, §4.2.2)."


def main(registry: Path) -> Path:
    old = pl.read_parquet(registry / "measurements.parquet")
    missing = set(NARAYANAN + KORTHIKANTI) - set(old["name"].to_list())
    if missing:
        raise SystemExit(f"measurements.parquet has no row named {sorted(missing)}")
    old = old.with_columns(pl.lit(None, pl.Boolean).alias(c) for c in TRAINING_RUN_COLUMNS if c not in old.columns)
    megatron = pl.col("name").is_in([*NARAYANAN, *KORTHIKANTI])
    narayanan = pl.col("name").is_in(list(NARAYANAN))
    noted = pl.col("notes").str.contains(MARK, literal=True)
    out = old.with_columns(
        sequence_parallel=pl.when(narayanan).then(False).otherwise(pl.col("sequence_parallel")),
        flash_attention=pl.when(megatron).then(False).otherwise(pl.col("flash_attention")),
        dropout=pl.when(megatron).then(True).otherwise(pl.col("dropout")),
        lm_head_on_last_stage=pl.when(megatron).then(True).otherwise(pl.col("lm_head_on_last_stage")),
        notes=pl.when(megatron & ~noted).then(pl.col("notes") + pl.when(narayanan).then(pl.lit(SP_NOTE + NOTE))
                                              .otherwise(pl.lit(NOTE))).otherwise(pl.col("notes")))
    print(f"{len(NARAYANAN) + len(KORTHIKANTI)} Megatron-LM rows stated, of {old.height}", file=sys.stderr)
    return write_catalog(out.select(list(CATALOGS["measurements"].to_schema().columns)), "measurements", registry)


if __name__ == "__main__":
    print(main(Path(sys.argv[1]) if len(sys.argv) > 1 else bundled_registry()))
