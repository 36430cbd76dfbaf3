"""A group's variants of stated knobs (``pipeline.validation.shared_space``): a variant's hardware side is its
framework's with the variant's knob columns, what the study builds for the variant's own spec."""

from __future__ import annotations

import polars as pl
import pytest

from pipeline.runs import STUDIES
from pipeline.validation.shared_space import base, group_spec, variant, with_knobs

TRAINING = {"study": "training", "axes": {
    "model": ["Llama 2 70B"], "cluster": ["NVIDIA DGX SuperPOD DGX H100 (1 SU, 31 nodes)"],
    "compute_dtype": ["bf16"], "gpus": [64], "tp": [4], "pp": [4], "microbatch": [1], "global_batch": [64],
    "seq_len": [4096]}, "efficiency": {"framework": "Megatron-LM"}}
SERVING = {"study": "serving", "axes": {
    "model": ["Llama 2 70B"], "hardware": ["MI300X"], "compute_dtype": ["fp8"], "weight_dtype": ["fp8"],
    "kv_dtype": ["fp8"], "tp": [8], "pp": [1], "ep": [1], "batch": [1, 64], "request_rate": [10.0],
    "replicas": [1]}, "efficiency": {"framework": "vLLM"}}
KNOBBED = [(TRAINING, {"training": {"flash_attention": False, "dropout": True, "fp8_params": True,
                                    "allocator": "expandable_segments", "mtp_layers": 1}}),
           (SERVING, {"serving": {"scheduler_steps": 8, "kv_read_per_query_head": True}})]


@pytest.mark.parametrize(("plain", "knobs"), KNOBBED, ids=["training", "serving"])
def test_a_variants_hardware_side_is_its_frameworks_with_its_knob_columns(catalogs, plain, knobs):
    stated = plain | knobs
    assert base(stated) == base(plain) and variant(stated) != variant(plain)
    study = STUDIES[plain["study"]]
    own = study.build_space(catalogs, group_spec([stated])).hardware_side
    shared = study.build_space(catalogs, group_spec([plain])).hardware_side
    assert not own.equals(shared)  # the knobs are columns of the hardware side
    assert with_knobs(shared, stated, study.KNOBS).equals(own)
    assert with_knobs(own, plain, study.KNOBS).equals(shared)


def test_a_node_rows_data_section_is_a_space_of_its_own():
    """[data] (devices, cluster) sets the all-reduce's fabric and ranks: more than knob columns."""
    node = {"axes": {"model": ["BERT-Large"]}, "efficiency": {"framework": "default"}}
    data = node | {"data": {"devices": 8, "cluster": None, "optimizer_sharded": True}}
    assert base(data) != base(node)


def test_a_knob_whose_column_would_change_type_is_refused():
    side = pl.DataFrame({"hardware": ["x"], "flash_attention": [None]})
    assert with_knobs(side, TRAINING | {"training": {"flash_attention": True}}, ["flash_attention"]) is None
