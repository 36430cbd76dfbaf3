"""Set the efficiency profiles' ``window_attention_models`` on TensorRT-LLM's rows (re-runnable, idempotent).

    .venv/bin/python registry_data/research/r-swread/apply_profiles.py [--registry DIR]

TensorRT-LLM's PyTorch model code for GPT-OSS passes the model's 128-token window to the attention kernel on the
even layers (``tensorrt_llm/_torch/models/modeling_gpt_oss.py`` @050b6cb92871a4ed73486c5e5a573d4198d1a6d9,
``AttentionBlock``: ``sliding_window = config.sliding_window if layer_idx % 2 == 0 else None``, passed as
``attention_window_size``), whatever its KV cache keeps (``KvCacheConfig.max_attention_window``, unset: the whole
context); GPT-OSS has no TensorRT engine-flow model (``tensorrt_llm/models/`` holds none). Mistral 7B v0.1's
catalog rows are engine-flow runs (perf overview v0.17, ``trtllm-bench build``) whose kernel window is the
engine's ``max_attention_window_size``, cache and reads alike, so Mistral is not listed (README.md of this folder).
A registry written before the column existed gets it (null) when read.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import polars as pl

from pipeline.catalogs.io import read_catalog, write_catalog

FRAMEWORK = "TensorRT-LLM"
MODELS = "GPT-OSS 120B,GPT-OSS 20B"
SOURCE = ("https://github.com/NVIDIA/TensorRT-LLM/blob/050b6cb92871a4ed73486c5e5a573d4198d1a6d9/"
          "tensorrt_llm/_torch/models/modeling_gpt_oss.py")


def apply(registry: Path | None = None, models: str = MODELS) -> pl.DataFrame:
    profiles = read_catalog("efficiency_profiles", registry)
    hit = pl.col("framework") == FRAMEWORK
    if profiles.filter(hit).height == 0:
        raise SystemExit(f"efficiency_profiles: expected rows of framework {FRAMEWORK!r}")
    out = profiles.with_columns(
        pl.when(hit).then(pl.lit(models)).otherwise(pl.col("window_attention_models")).alias("window_attention_models"),
        pl.when(hit).then(pl.lit(SOURCE)).otherwise(pl.col("window_attention_source_url"))
        .alias("window_attention_source_url"))
    write_catalog(out, "efficiency_profiles", registry)
    return out


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--registry", type=Path, default=None)
    parser.add_argument("--models", default=MODELS, help="comma-separated catalog names (a what-if: add Mistral)")
    args = parser.parse_args()
    apply(args.registry, args.models)
