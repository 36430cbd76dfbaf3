"""Prefix caching in the serving study (formulas: ``pipeline.walls.prefix_cache``).

One axis, ``prefix_hit_rate`` (the share of each prompt whose K/V the cache already holds; 0, the
default, leaves every row as it was), and the column of the prompt tokens prefill computes. The
serving formulas read both through ``prefill_tokens`` and ``prefill_attention_pairs``, so every
path that evaluates them (sweeps, the one-row answer, wall 7 under load, a burst) sees the cache.
"""

from __future__ import annotations

import pandera.polars as pa
import polars as pl

from pipeline.studies import fraction, result

AXES = {"prefix_hit_rate": ("", pl.Float64)}


def with_columns(schema: type[pa.DataFrameModel]) -> type[pa.DataFrameModel]:
    """``schema`` followed by the prefix-caching axis and the uncached prompt tokens."""
    body = {"prefix_hit_rate": fraction("share of each prompt's tokens already in the prefix cache, h (0: none)",
                                        "sweep axis", nullable=False),
            "prefill_new_tokens": result("tok", "prompt tokens per sequence prefill computes, (1 - h) x prompt_len",
                                         "vLLM automatic prefix caching; SGLang RadixAttention (Zheng et al. "
                                         "2024, §3)")}
    body["__annotations__"] = {"prefix_hit_rate": float, "prefill_new_tokens": float}
    body["Config"] = type("Config", (), {"name": schema.Config.name, "strict": True})
    return type(schema.__name__, (schema,), body)
