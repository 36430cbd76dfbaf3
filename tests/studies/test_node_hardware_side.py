"""The node study's hardware-side terms: computed once per hardware row and held by the hardware dimension table,
not written per fact row."""

from __future__ import annotations

import polars as pl
import pytest

from pipeline import runs
from pipeline.runs import narrow
from pipeline.spec import parse_spec
from pipeline.studies import node

AXES = {"hardware": ["H100 SXM5 80GB", "A100 SXM4 80GB"], "model": ["Llama 2 7B", "ResNet-50"], "compute_dtype": ["bf16"],
        "batch": [8], "seq_len": [512], "workload": ["training"]}


@pytest.mark.parametrize(("data", "ranks"), [
    ({}, 1.0),  # unsharded: the whole state on each rank
    ({"devices": 16, "optimizer_sharded": True}, 8.0),  # sharded over one node: min(16 devices, 8 per node)
    ({"devices": 4, "optimizer_sharded": True}, 4.0),  # fewer devices than a node: over those
])
def test_optimizer_shard_ranks_are_a_hardware_dimension_column(data, ranks):
    prepared = runs.prepare(parse_spec({"axes": AXES, "data": data}))
    side = prepared.space.hardware_side
    assert side.height > 0 and side["optimizer_shard_ranks"].to_list() == [ranks] * side.height
    shape = narrow.layout(prepared, node.build(prepared.space).frame.collect_schema())
    assert "optimizer_shard_ranks" in shape.dimensions["hardware"]
    assert "optimizer_shard_ranks" not in shape.fact
    rows = node.build(prepared.space).frame.filter(pl.col("step") == "train").collect()
    assert rows.height > 0 and rows["optimizer_shard_ranks"].to_list() == [ranks] * rows.height
