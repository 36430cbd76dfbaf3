"""The training terms of the model side alone, computed there once per model-side row (``training_model_terms``,
issue 15): the main plan reads them as columns and gives every row, bit for bit, that computing them per row gives."""

from __future__ import annotations

from dataclasses import replace

import polars as pl
import pyarrow as pa
import pytest

from pipeline.catalogs.load import load_catalogs
from pipeline.spec import parse_spec
from pipeline.studies import training
from pipeline.studies import training_model_terms as model_terms
from pipeline.studies.constant_columns import one_valued


AXES = {"cluster": ["NVIDIA DGX SuperPOD DGX H100 (4 SU, 127 nodes)"], "model": ["Llama 2 7B", "Mixtral 8x7B"],
        "compute_dtype": ["bf16", "fp8"], "seq_len": [2048], "gpus": [16, 512], "tp": [1, 2, 8], "pp": [1, 4],
        "microbatch": [1, 2], "global_batch": [512, 1536], "recompute": ["none", "selective", "full"],
        "zero_stage": [0, 1, 3], "sequence_parallel": [True, False]}
# LoRA, context and expert parallelism, interleaving; and without them (cp = ep = 1, LoRA rank 0: one-valued, read as
# literals, which fold the allocator's fragmentation to a constant: it must stay in the plan, not become a column)
VARIED = AXES | {"seq_len": [2048, 4096], "cp": [1, 2], "ep": [1, 8], "virtual_stages": [1, 2], "lora_rank": [0, 16]}


@pytest.fixture(scope="module", params=[VARIED, AXES], ids=["varied", "one-valued"])
def space(request):
    with pytest.MonkeyPatch.context() as patch:  # these spaces are below the joined rows from which terms are held
        patch.setattr(model_terms, "MIN_JOINED_ROWS", 0)
        return training.build_space(load_catalogs(), parse_spec({"study": "training", "axes": request.param}))


def _terms(space) -> list[str]:
    """The terms the model side holds (``<term>__model_side``)."""
    return [c.removesuffix(model_terms.SUFFIX) for c in space.model_side.columns if c.endswith(model_terms.SUFFIX)]


def _bits(frame: pl.DataFrame) -> pl.DataFrame:
    """Every float column as its 64 bits (0.0 and -0.0 apart, every NaN payload)."""
    return frame.with_columns(pl.from_arrow(frame[c].to_arrow().view(pa.int64())).alias(c)
                              for c, d in frame.schema.items() if d == pl.Float64)


def test_the_model_side_holds_the_terms_and_the_plan_reads_them(space):
    terms = _terms(space)
    assert {"stage_layers", "stored_layer_microbatches", "layer_elementwise_bytes_per_microbatch",
            "params_per_gpu", "weight_bytes_per_gpu"} <= set(terms)
    plan = training.build(space).frame.explain(optimized=True)
    assert 'col("stored_layer_microbatches__model_side")' in plan and 'col("params_per_gpu__model_side")' in plan
    assert plan.count('alias("stored_layer_microbatches")') == 1  # the model side's column renamed, not computed
    # an output on the model side under its own name would be a dimension column of the run's writer
    assert not set(terms) & set(space.model_side.columns)
    # the TP all-reduce's fitted latency and bandwidth gathered with the GEMM η: its fit columns not read per row
    assert "tp_alpha_s" in training.inputs(space)[1] and 'col("allreduce_alpha_ratio_r0")' not in plan


def test_a_model_side_over_the_limit_keeps_its_terms_per_row(monkeypatch):
    monkeypatch.setattr(model_terms, "MIN_JOINED_ROWS", 0)
    catalogs, spec = load_catalogs(), parse_spec({"study": "training", "axes": AXES})
    monkeypatch.setattr(model_terms, "MAX_MODEL_ROWS", training.build_space(catalogs, spec).model_side.height - 1)
    over = training.build_space(catalogs, spec)
    assert not _terms(over)
    assert 'col("params_per_gpu__model_side")' not in training.build(over).frame.explain(optimized=True)


def test_a_space_of_few_joined_rows_keeps_its_terms_per_row(monkeypatch):
    space = training.build_space(load_catalogs(), parse_spec({"study": "training", "axes": AXES}))
    assert space.model_side.height * space.hardware_side.height < model_terms.MIN_JOINED_ROWS
    assert not _terms(space)


def test_rows_equal_those_computed_per_row(space):
    terms = _terms(space)
    got = training.build(space).frame.collect()
    without = space.model_side.drop(f"{c}{model_terms.SUFFIX}" for c in terms)
    want = training.build(replace(space, model_side=without)).frame.collect()
    assert got.height > 2_000 and _bits(got).equals(_bits(want))
    assert got["scaling_efficiency"].drop_nulls().n_unique() > 100


def test_other_one_valued_hardware_columns_are_computed_per_row(space):
    """Rows whose knobs differ from the ones the terms were computed with (validation's own hardware rows): the
    plan computes the terms per row, and never reads the model side's values."""
    def held(constants):
        return model_terms.held(space, pl.LazyFrame(), {}, constants, training.written(space), training.FORMULAS)[1]

    constants = one_valued(space)
    assert set(held(constants)) == set(_terms(space))
    assert "mtp_layers" in model_terms.model_terms(space, training.written(space), training.FORMULAS)[1]
    assert held(constants | {"mtp_layers": (1.0, pl.Float64)}) == {}


def test_a_one_valued_term_that_reads_columns_is_held_and_read_as_its_literal(space):
    """LoRA's adapter FLOPs at rank 0 (0 on every row, from the model's dimensions): held, and given to the plan as
    that literal, so neither it nor the columns it reads are joined per row (issue 15, trhw); varying, a column."""
    assert "adapter_forward_flop_per_sequence" in _terms(space)
    plan = training.build(space).frame.explain(optimized=True)
    rank_zero = space.model_side["lora_rank"].n_unique() == 1
    assert ('col("adapter_forward_flop_per_sequence__model_side")' in plan) != rank_zero
