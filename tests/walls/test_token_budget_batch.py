"""The decode batch a per-iteration token budget admits (``batching.token_budget_sequences``, wall 7's cap through
``serving_load.load_batch_cap``), by hand from TensorRT-LLM's MicroBatchScheduler rule: each decoding sequence
spends one token of max_num_tokens (beam 1, no draft), so at most max_num_tokens sequences decode at once."""

from __future__ import annotations

import polars as pl

from pipeline import scalar
from pipeline.studies.serving_load import load_batch_cap
from pipeline.units import expression_library
from pipeline.walls.batching import token_budget_sequences


def test_the_budget_caps_the_decode_batch_by_hand():
    """Dell's H200 NVL Llama 2 70B Interactive engine (v6.0, max_num_tokens 256, gpu_batch_size unstated: the
    4096 cap): 256 sequences, below the KV cache's 1000. A budget of 12000 (B200 Llama 3.1 8B) leaves the 4096 cap;
    two attention-DP groups of 3456 (DeepSeek-R1 on B200) decode 6912 at most, so the 5120 cap stands; no budget
    (null): the KV cache's 900."""
    frame = pl.DataFrame({"batch": [4096, 4096, 5120, 4096], "paged": [1000.0, 9000.0, 8000.0, 900.0],
                          "budget": [256.0, 12000.0, 3456.0, None], "groups": [1.0, 1.0, 2.0, 1.0]})
    got = frame.select(load_batch_cap(pl.col("batch"), pl.col("paged"),
                                      token_budget_sequences(pl.col("budget"), pl.col("groups"))).alias("cap"))
    assert got["cap"].to_list() == [256.0, 4096.0, 5120.0, 900.0]


def test_plain_values_take_the_same_cap():
    """The one-configuration path (``under_load_values``) compiles the same expressions on plain values: a budget of
    768 (B200 Llama 2 70B Interactive) under a 4096 cap and a KV cache of 3000 sequences gives 768."""
    with expression_library(scalar):
        c = scalar.col
        cap = scalar.compile_function({"cap": load_batch_cap(c("batch"), c("paged"),
                                                             token_budget_sequences(c("budget"), c("groups")))})
    assert cap({"batch": 4096.0, "paged": 3000.0, "budget": 768.0, "groups": 1.0})["cap"] == 768.0
