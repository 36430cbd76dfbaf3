"""The study's own terms per distinct key (``training_reference.main_terms``, issue 15): gathered, they give the rows
of the plan that computes them on every row, and the one-node reference never reads them."""

from __future__ import annotations

import pytest

from pipeline.catalogs.load import load_catalogs
from pipeline.spec import parse_spec
from pipeline.studies import training
from pipeline.studies import training_reference as reference

AXES = {"cluster": ["NVIDIA DGX SuperPOD DGX H100 (4 SU, 127 nodes)"], "model": ["Llama 2 7B", "Mixtral 8x7B"],
        "compute_dtype": ["bf16", "fp8"], "seq_len": [2048, 4096], "gpus": [16, 512], "tp": [1, 2, 8, 16], "pp": [1, 4],
        "ep": [1, 2], "microbatch": [1, 2], "global_batch": [512, 1536], "recompute": ["none", "selective", "full"],
        "zero_stage": [0, 1, 3], "lora_rank": [0, 16], "sequence_parallel": [True, False], "virtual_stages": [1, 2]}


@pytest.fixture(scope="module")
def space():
    return training.build_space(load_catalogs(), parse_spec({"study": "training", "axes": AXES}))


def test_the_terms_read_no_count_of_microbatches(space):
    """The FLOP-bound time and the collectives per microbatch and the ZeRO-sharded bytes are terms; the compute time
    per microbatch is not (the unfused gradient accumulation's share reads m); every group's classes number the
    distinct rows of its class columns, each with one row of the columns it reads."""
    split = reference.main_split(space, training.FORMULAS, training.PLANNED)
    terms = {t for group in split for t in group.terms}
    assert {"flop_time_per_microbatch_s", "tp_comm_time_per_microbatch_s", "dp_exposed_time_s",
            "optimizer_bytes_per_gpu"} <= terms
    assert not terms & {"compute_time_per_microbatch_s", "compute_time_s", "iteration_time_s", "is_feasible"}
    model = space.model_side
    for name, group in zip(reference.MAIN_KEYS, split, strict=False):
        assert "num_microbatches" not in group.model
        assert model[name].n_unique() == model.select(group.classes).n_unique() < model.height
        assert model.select(name, *group.model).n_unique() == model[name].n_unique()  # one key a class


def test_gathered_terms_give_the_rows_of_the_per_row_plan(space, monkeypatch):
    """LoRA, EP, ZeRO-3, interleaved stages, tp above the node (the reference caps it), both recipes: the same rows,
    every column; the reference's terms are its own (``scaling_efficiency`` equal too)."""
    groups = reference.main_terms(space, training.FORMULAS, training.PLANNED)
    _, units = training.inputs(space)
    assert groups and all(set(group.columns) <= set(units) for group in groups)
    got = training.build(space).frame.collect()
    monkeypatch.setattr(reference, "main_terms", lambda *_: [])
    assert "flop_time_per_microbatch_s" not in training.inputs(space)[1]
    want = training.build(space).frame.collect()
    assert got.height > 1000 and got.equals(want)
    assert got["scaling_efficiency"].drop_nulls().n_unique() > 100
    assert got["dp_exposed_time_s"].n_unique() > 50
