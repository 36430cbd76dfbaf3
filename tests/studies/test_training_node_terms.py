"""The one-node reference's terms per distinct key (``training_reference.node_terms``, issue 15): gathered, they give
the rows of the plan that computes them on every row."""

from __future__ import annotations

import polars as pl
import pytest

from pipeline.catalogs.load import load_catalogs
from pipeline.spec import parse_spec
from pipeline.studies import training
from pipeline.studies import training_reference as reference

AXES = {"cluster": ["NVIDIA DGX SuperPOD DGX H100 (4 SU, 127 nodes)"], "model": ["Llama 2 7B", "Mixtral 8x7B"],
        "compute_dtype": ["bf16", "fp8"], "seq_len": [2048, 4096], "gpus": [16, 512], "tp": [1, 2, 8, 16], "pp": [1, 4],
        "ep": [1, 2], "microbatch": [1, 2], "global_batch": [512, 1536], "recompute": ["none", "selective", "full"],
        "zero_stage": [0, 1, 3], "lora_rank": [0, 16], "sequence_parallel": [True, False]}


@pytest.fixture(scope="module")
def space():
    return training.build_space(load_catalogs(), parse_spec({"study": "training", "axes": AXES}))


def test_the_terms_read_no_count_of_microbatches_and_the_rest_does(space):
    """The FLOP-bound time per microbatch is a term (it reads the layout's shape, not m); the compute time per
    microbatch is not (the unfused gradient accumulation's share reads m); every group's classes number the
    distinct rows of its class columns, each with one row of the columns it reads."""
    split = reference.node_split(space, training.FORMULAS)
    terms = {t for group in split for t in group.terms}
    assert {"flop_time_per_microbatch_s", "tp_comm_time_per_microbatch_s", "dp_exposed_time_s"} <= terms
    assert not terms & {"compute_time_per_microbatch_s", "compute_time_s", "iteration_time_s"}
    assert all("num_microbatches" not in g.model and "tp" in g.classes for g in split)
    model = space.model_side
    for name, group in zip(reference.NODE_KEYS, split, strict=False):
        assert model[name].n_unique() == model.select(group.classes).n_unique() < model.height
        assert model.select(name, *group.model).n_unique() == model[name].n_unique()  # one key a class


def test_the_gemm_eta_at_the_node_are_computed_on_the_classes_they_read(space):
    """The η a group reads (the FLOP-bound time's) are an inner group on the classes of fewer columns: the GEMM shape
    reads the model's figures, seq_len, microbatch and tp, not recompute (which the FLOP-bound time reads)."""
    groups = [g for g in reference.node_terms(space, training.FORMULAS) if g.inner]
    assert groups
    for group in groups:
        (inner,) = group.inner
        assert inner.columns and {c.removesuffix(reference.AT_NODE) for c in inner.columns} <= set(reference.ETAS)
        assert set(inner.model) < set(group.model) and {"seq_len", "microbatch", "tp"} <= set(inner.model)
        assert "recompute" in group.model and "recompute" not in inner.model
        assert set(inner.hardware) <= set(group.hardware)


def test_gathered_terms_give_the_rows_of_the_per_row_plan(space, monkeypatch):
    """LoRA, EP, ZeRO-3, tp above the node (the reference caps it), both recipes: the same rows, every column."""
    _, units = training.inputs(space)
    assert all(set(group.columns) <= set(units) for group in reference.node_terms(space, training.FORMULAS))
    got = training.build(space).frame.collect()
    monkeypatch.setattr(reference, "node_terms", lambda *_: [])
    assert f"flop_time_per_microbatch_s{reference.AT_NODE}" not in training.inputs(space)[1]
    want = training.build(space).frame.collect()
    assert got.height > 1000 and got.equals(want)
    assert got["scaling_efficiency"].drop_nulls().n_unique() > 100


def test_the_gemm_etas_are_two_parts_on_the_classes_each_reads(monkeypatch):
    """``shape_etas``: the η on the model's figures (not its name), their values at the reference's layout without cp
    (the reference has none); gathered, the rows of the plan that computes them per row, cp = 2 among them."""
    space = training.build_space(load_catalogs(), parse_spec({"study": "training", "axes": AXES | {
        "model": ["Llama 2 7B", "Llama 2 13B"], "cp": [1, 2], "gpus": [64], "zero_stage": [0], "lora_rank": [0]}}))
    (group,) = reference.shape_etas(space, training.FORMULAS, training.SHAPED)
    here, there = group.parts
    assert "model" in group.model and "model" not in here.model and "cp" in here.model
    assert "cp" not in there.model and "tp" in there.model and set(there.columns) == {
        f"{c}{reference.AT_NODE}" for c in here.columns}
    gathered = f"train_matmul_eta_compute{reference.AT_NODE}"
    assert gathered in training.inputs(space)[1]  # the group shares (its table is gathered)
    got = training.build(space).frame.collect()
    monkeypatch.setattr(reference, "shape_etas", lambda *_: [])
    assert gathered not in training.inputs(space)[1]
    want = training.build(space).frame.collect()
    assert got.height > 100 and got.equals(want) and (got["cp"] == 2).any()
    assert got["scaling_efficiency"].drop_nulls().n_unique() > 10


def _fixed_by_hashing(model: pl.DataFrame, columns: set[str]) -> set[str]:
    """The reference: the columns with one distinct value (``n_unique``) in every ``CLASS_BASE`` group."""
    rest = [c for c in model.columns if c in columns and c not in reference.CLASS_BASE]
    counts = model.group_by(reference.CLASS_BASE).agg(pl.col(rest).n_unique()).select(pl.col(rest).max())
    return {c for c, n in counts.row(0, named=True).items() if n == 1}


def test_the_columns_the_base_fixes_are_those_of_one_distinct_value_a_base(space):
    """NULL is one value (all NULL: fixed; NULL beside a number: not), NaN one, 0.0 and -0.0 one (as ``n_unique``);
    a base's rows need not be together; only the columns asked are answered."""
    nan = float("nan")
    model = pl.DataFrame({
        "model": ["a", "b", "a", "b", "a"], "seq_len": [1, 1, 1, 1, 2],
        "same": [1.0, 2.0, 1.0, 2.0, 3.0], "nulls": [None, 1.0, None, 1.0, 5.0], "half_null": [None, 1.0, 2.0, 1.0, 5.0],
        "nans": [nan, 1.0, nan, 1.0, nan], "nan_or_not": [nan, 1.0, 1.0, 1.0, 1.0], "zeros": [0.0, 1.0, -0.0, 1.0, 0.0],
        "varies": [1.0, 1.0, 2.0, 1.0, 1.0], "text": ["x", "y", "x", "y", "z"], "flag": [True, False, False, True, True],
        "count": [3, 4, 3, 4, 4]}).with_columns(pl.col("model").cast(pl.Categorical))
    asked = set(model.columns) - {"count"}
    assert reference.fixed_by_base(model, asked) == {"same", "nulls", "nans", "zeros", "text"}
    assert reference.fixed_by_base(model, asked) == _fixed_by_hashing(model, asked)
    assert reference.fixed_by_base(model, {"count", "varies"}) == {"count"}
    every = set(space.model_side.columns)
    assert reference.fixed_by_base(space.model_side, every) == _fixed_by_hashing(space.model_side, every)
