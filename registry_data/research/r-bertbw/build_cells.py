"""Build cells.csv from the rows' own result logs (``logs.py``): each MLPerf Training BERT row's ``microbatch``, the
sequences one GPU runs per forward/backward pass = the log's global_batch_size / (the row's devices x the log's
gradient_accumulation_steps), cited at the global_batch_size line of the log (its d_batch_size, packed rows of up to
2 sequences, and gradient_accumulation_steps lines named in ``why``). Every row's accumulation is 1, so microbatch is
also the per-GPU batch the node study already runs (batch / devices); the cell states it from the run.

    .venv/bin/python registry_data/research/r-bertbw/build_cells.py [MIRRORS=/work/.mirror]
"""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl

from logs import main as read_logs  # noqa: E402 (this folder)

HERE = Path(__file__).parent


def cells(mirrors: Path) -> pl.DataFrame:
    f = read_logs(mirrors)
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


if __name__ == "__main__":
    c = cells(Path(sys.argv[1] if len(sys.argv) > 1 else "/work/.mirror"))
    c.write_csv(HERE / "cells.csv")
    print(c.height, "cells")
