"""One vocabulary for the bound columns (pipeline.walls.bounds, issue 11 item 4)."""

from __future__ import annotations

import polars as pl
import pytest

import pipeline
from pipeline.units import E
from pipeline.walls.bounds import BOUNDS, binding

ISSUE_WORDS = {"compute", "memory", "network", "overhead", "capacity", "input pipeline", "bubble"}


def test_the_vocabulary_holds_the_issue_words_and_no_launch():
    assert ISSUE_WORDS <= set(BOUNDS)
    assert "launch" not in BOUNDS and "memory bandwidth" not in BOUNDS and "pipeline bubble" not in BOUNDS


def test_a_word_outside_the_vocabulary_fails_when_the_plan_is_built():
    with pytest.raises(ValueError, match="'launch' is not in the vocabulary"):
        binding((E.lit(True), "launch"), otherwise="compute")


def test_every_study_binds_with_the_vocabulary_and_capacity_when_it_does_not_fit():
    node = pipeline.evaluate(model="Llama 2 70B", hardware="A100 SXM4 80GB", step="decode").row(0, named=True)
    serving = pipeline.evaluate_serving("Llama 2 70B", "H100 SXM5 80GB").row(0, named=True)
    training = pipeline.evaluate_training("Llama 3.1 70B", "NVIDIA DGX SuperPOD DGX H100 (1 SU, 31 nodes)", gpus=1,
                                           tp=1)
    training = training.row(0, named=True)
    for row in (node, serving, training):
        assert row["is_feasible"] is False and row["bound"] == "capacity"
    fits = pipeline.evaluate_serving("Llama 2 7B", "H100 SXM5 80GB").row(0, named=True)
    assert fits["bound"] == "memory" and fits["ttft_bound"] == "compute"  # batch-1 decode reads the weights


def test_a_bound_column_picks_categorical_words_in_case_order_with_nulls_taking_the_next_case():
    frame = pl.DataFrame({"a": [True, None, False, False], "b": [True, True, None, False]})
    out = frame.select(binding((pl.col("a"), "capacity"), (pl.col("b"), "memory"), otherwise="compute").alias("x"))
    assert out.schema["x"] == pl.Categorical
    assert out["x"].cast(pl.String).to_list() == ["capacity", "memory", "compute", "compute"]  # by hand
