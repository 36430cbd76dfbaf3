"""Replay patches.csv onto the measurements catalog: what Megatron-Bridge's performance recipes state
about the memory of six DGX-GB200 rows (issue 12, test_feasible), each value cited to a line of the
recipe at NVIDIA-NeMo/Megatron-Bridge 0a25f911 (the commit the rows' source page is read at):

- Llama 3 70B FP8-CS (LLAMA3_70B_PRETRAIN_CONFIG_GB200_FP8_CS_V2): cpu_offloading_num_layers = 40,
  the fused cross entropy of llama3_70b_pretrain_config, and FP8 working weights (fp8_param_gather of
  bf16_with_fp8_current_scaling_mixed);
- Llama 3.1 405B FP8-CS, MXFP8 and NVFP4 (..._GB200_*_V2): the embedding and the loss counted as layers
  in the pipeline split (llama31_405b_pretrain_config), its fused cross entropy, and FP8 working weights
  under the FP8-CS and MXFP8 recipes (NVFP4's sets fp8_param_gather = False).

The columns (pipeline.catalogs.kernel_schema.TrainingRunColumns) are added as nulls first when missing.
The source is appended to the row's notes once, so a second run changes nothing. Run from the
repository root:

    .venv/bin/python registry_data/research/r-feas2/apply.py
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import polars as pl

from pipeline.catalogs.io import write_catalog

HERE = Path(__file__).parent
REGISTRY = HERE.parent.parent
NEW_COLUMNS = {"fp8_params": pl.Boolean, "cpu_offloading_num_layers": pl.Int64,
               "cross_entropy_loss_fusion": pl.Boolean, "embedding_and_loss_in_pipeline_split": pl.Boolean}


def _typed(value: str, dtype: pl.DataType):
    if dtype == pl.Boolean:
        return value.lower() == "true"
    return pl.Series([value]).cast(dtype).item()


def apply(registry: Path = REGISTRY) -> int:
    path = registry / "measurements.parquet"
    frame = pl.read_parquet(path)
    frame = frame.with_columns(pl.lit(None, t).alias(c) for c, t in NEW_COLUMNS.items() if c not in frame.columns)
    with open(HERE / "patches.csv", newline="") as f:
        patches = list(csv.DictReader(f))
    for p in patches:
        where = pl.col("name") == p["name"]
        if p["column"] not in frame.columns or frame.filter(where).height != 1:
            sys.exit(f"patches.csv: measurements has no single row {p['name']!r} with column {p['column']!r}")
        dtype = frame.schema[p["column"]]
        note = f" [{p['column']} = {p['value']}: {p['source']}]"
        frame = frame.with_columns(
            pl.when(where).then(pl.lit(_typed(p["value"], dtype), dtype)).otherwise(pl.col(p["column"]))
            .alias(p["column"]),
            pl.when(where & ~pl.col("notes").str.contains(note, literal=True))
            .then(pl.col("notes") + note).otherwise(pl.col("notes")).alias("notes"))
    write_catalog(frame, "measurements", registry, source=f"{path} after r-feas2/patches.csv")
    return len(patches)


if __name__ == "__main__":
    print(apply(), "patches")
