"""What-if (not applied): the GPT-OSS perf-overview rows state the max_num_tokens trtllm-bench gives a run without
chunked prefill, max(8192, max ISL + max_batch_size) with max_batch_size 2048 (tensorrt_llm/bench/benchmark/utils/
general.py @0171265e, ``get_settings``: "Forcing max_num_tokens to {max_isl + max_batch_size}"). Whether the page's
runs had chunking off depends on the TensorRT-LLM version, which the page does not state (README.md, candidate 2).
Writes a copy of a registry with the column set on the ``trtllm-perf-gptoss-*`` rows; every other row is kept.

    .venv/bin/python registry_data/research/r-gptsat/whatif_max_num_tokens.py SOURCE_REGISTRY TARGET_REGISTRY
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import polars as pl

from pipeline.catalogs.io import read_catalog, write_catalog

PREFIX = "trtllm-perf-gptoss-"
DEFAULT_MAX_NUM_TOKENS = 8192  # BuildConfig.max_num_tokens (tensorrt_llm/builder.py @008b2b8d)
DEFAULT_MAX_BATCH = 2048  # BuildConfig.max_batch_size: MXFP4 is not in trtllm-bench's TUNED_QUANTS


def unchunked_budget(prompt_len: pl.Expr) -> pl.Expr:
    """max(8192, ISL + 2048): the dataset's ISL is fixed (token-norm-dist, stdev 0), so max ISL = ISL."""
    return pl.max_horizontal(pl.lit(DEFAULT_MAX_NUM_TOKENS), prompt_len + DEFAULT_MAX_BATCH)


def main(source: str, target: str) -> None:
    if Path(target).exists():
        shutil.rmtree(target)
    shutil.copytree(source, target)
    m = read_catalog("measurements", target)
    rows = pl.col("name").str.starts_with(PREFIX)
    m = m.with_columns(pl.when(rows).then(unchunked_budget(pl.col("prompt_len")).cast(m.schema["max_num_tokens"]))
                       .otherwise(pl.col("max_num_tokens")).alias("max_num_tokens"))
    write_catalog(m, "measurements", target)
    print(m.filter(rows).group_by("prompt_len", "max_num_tokens").len().sort("prompt_len"))


if __name__ == "__main__":
    main(*sys.argv[1:3])
