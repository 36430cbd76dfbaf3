"""State sequence parallelism off on the four Narayanan et al. 2021 rows of the measurements catalog
(issue 12, HFU). The rows left ``sequence_parallel`` null, which a prediction reads as "on when
tp > 1"; but sequence parallelism was introduced a year later (Korthikanti et al. 2022,
arXiv:2205.05198, §4.2.2, "in addition to tensor parallelism"), and the SC21 scripts the rows' layouts
come from (NVIDIA/Megatron-LM examples/sc21/run_table_1.sh, run_figure_12.sh) pass no such flag: each
TP rank ran the layer norms, dropouts and residual adds on the whole hidden state. Re-runnable.

    .venv/bin/python registry_data/research/r-hfu/apply.py [registry_dir]
"""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl

from pipeline.catalogs.io import write_catalog
from pipeline.catalogs.paths import bundled_registry
from pipeline.catalogs.schemas import CATALOGS

ROWS = ("narayanan2021-table2-gpt3-175b-384gpus-hfu", "narayanan2021-table2-gpt3-175b-768gpus-hfu",
        "narayanan2021-table2-gpt3-175b-1536gpus-hfu", "narayanan2021-table1-megatron-1t-3072gpus-hfu")
NOTE = (" Sequence parallelism off: introduced after this paper (Korthikanti et al. 2022, §4.2.2); the SC21"
        " scripts pass no such flag.")


def main(registry: Path) -> Path:
    old = pl.read_parquet(registry / "measurements.parquet")
    missing = set(ROWS) - set(old["name"].to_list())
    if missing:
        raise SystemExit(f"measurements.parquet has no row named {sorted(missing)}")
    chosen = pl.col("name").is_in(list(ROWS))
    noted = pl.col("notes").str.contains("Sequence parallelism off", literal=True)
    out = old.with_columns(sequence_parallel=pl.when(chosen).then(False).otherwise(pl.col("sequence_parallel")),
                           notes=pl.when(chosen & ~noted).then(pl.col("notes") + NOTE).otherwise(pl.col("notes")))
    print(f"sequence_parallel = false on {len(ROWS)} rows of {old.height}", file=sys.stderr)
    return write_catalog(out.select(list(CATALOGS["measurements"].to_schema().columns)), "measurements", registry)


if __name__ == "__main__":
    print(main(Path(sys.argv[1]) if len(sys.argv) > 1 else bundled_registry()))
