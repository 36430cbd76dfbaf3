"""Build cells.csv from the rows' own result logs (``logs.py``): each MLPerf Training BERT row's ``microbatch``, the
sequences one GPU runs per forward/backward pass = the log's global_batch_size / (the row's devices x the log's
gradient_accumulation_steps), cited at the global_batch_size line of the log (its d_batch_size, packed rows of up to
2 sequences, and gradient_accumulation_steps lines named in ``why``). Every row's accumulation is 1, so microbatch is
also the per-GPU batch the node study already runs (batch / devices); the cell states it from the run.

Also labels.csv: the rows labelled framework "Megatron-LM" (from the system's software list, which names NeMo) whose
log's mllog lines are written by /workspace/bert/run_pretraining.py, NVIDIA's BERT PyTorch implementation that the
27 rows labelled "default" run: framework "default", cited at the same global_batch_size line (its metadata file).

    .venv/bin/python registry_data/research/r-bertbw/build_cells.py [MIRRORS=/work/.mirror]
"""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl

from logs import main as read_logs  # noqa: E402 (this folder)

HERE = Path(__file__).parent


def cells(f: pl.DataFrame) -> pl.DataFrame:
    bad = f.filter(pl.col("global_batch_size") % (pl.col("devices") * pl.col("gradient_accumulation_steps")) != 0)
    if bad.height:
        sys.exit(f"{bad['name'][0]}: global_batch_size is not a multiple of devices x accumulation")
    why = pl.format("log global_batch_size {} over the row's {} GPUs, gradient_accumulation_steps {} (line {}), "
                    "d_batch_size {} packed rows (line {})", "global_batch_size", "devices",
                    "gradient_accumulation_steps", "gradient_accumulation_steps_line", "d_batch_size",
                    "d_batch_size_line")
    return f.select(
        "name", pl.lit("microbatch").alias("column"),
        (pl.col("global_batch_size") // (pl.col("devices") * pl.col("gradient_accumulation_steps"))).alias("value"),
        pl.format("mlcommons/{}", "repo").alias("repository"), "commit", "path",
        pl.col("global_batch_size_line").alias("line"), why.alias("why")).sort("name")


def labels(f: pl.DataFrame, registry: Path) -> pl.DataFrame:
    m = pl.read_parquet(registry / "measurements.parquet").select("name", "framework")
    wrong = f.join(m, on="name").filter(pl.col("framework") != "default",
                                        pl.col("global_batch_size_file") == "/workspace/bert/run_pretraining.py")
    why = pl.format("the log's mllog lines are written by {} (NVIDIA's BERT PyTorch implementation, as the rows "
                    "labelled default), not Megatron-LM; the label came from the system's software list",
                    "global_batch_size_file")
    return wrong.select("name", pl.lit("framework").alias("column"), pl.lit("default").alias("value"),
                        pl.format("mlcommons/{}", "repo").alias("repository"), "commit", "path",
                        pl.col("global_batch_size_line").alias("line"), why.alias("why")).sort("name")


if __name__ == "__main__":
    logs = read_logs(Path(sys.argv[1] if len(sys.argv) > 1 else "/work/.mirror"))
    c = cells(logs)
    c.write_csv(HERE / "cells.csv")
    lab = labels(logs, HERE.parent.parent)
    if lab.height:  # a re-run after apply.py finds none left to relabel: keep the file it wrote
        lab.write_csv(HERE / "labels.csv")
    print(c.height, "cells,", lab.height, "labels")
