"""One-valued side columns read as literals (``constant_columns``, ``formulas.plan``'s ``constants``, issue 15): found
on both sides, never where a row differs (0.0 and -0.0 too), and the plans that read them give the same rows."""

from __future__ import annotations

import polars as pl
import pytest

from pipeline import formulas
from pipeline.catalogs.load import load_catalogs
from pipeline.spec import parse_spec
from pipeline.studies import constant_columns, training
from pipeline.studies.sides import Space
from pipeline.units import UExpr, unit, where


def test_one_valued_columns_of_both_sides():
    hw = pl.DataFrame({"workload": ["t", "t"], "k": [2.0, 2.0], "flag": [True, True], "peak": [1.0, 3.0],
                       "none": pl.Series([None, None], dtype=pl.Float64), "name": ["a", "a"], "zero": [0.0, -0.0],
                       "third": [3.0, 3.0]})  # 3: x / 3 is not x * (1 / 3) (polars' scalar division)
    model = pl.DataFrame({"workload": ["t"] * 3, "cp": [1.0, 1.0, 1.0], "tp": [1.0, 2.0, 2.0], "n": [4, 4, 4]})
    space = Space(hw, model, {})
    found = constant_columns.one_valued(space)
    assert found == {"k": (2.0, pl.Float64), "flag": (True, pl.Boolean), "none": (None, pl.Float64),
                     "cp": (1.0, pl.Float64), "n": (4, pl.Int64)}
    # rows of their own (validation's at each η): a column they hold at another value is not one-valued
    other = hw.with_columns(k=pl.Series([2.0, 5.0]))
    assert "k" not in constant_columns.one_valued(space, other) and "flag" in constant_columns.one_valued(space, other)
    assert "k" in constant_columns.one_valued(space, hw.head(1))  # a slice of the side


def scaled(a: UExpr, k: UExpr, on: pl.Expr) -> UExpr:
    return where(on, a * k, a / k)


def test_a_constant_is_read_as_a_literal_with_the_same_values():
    frame = pl.LazyFrame({"a": [1.0, -2.5, 3.0], "k": [0.5, 0.5, 0.5], "on": [False, False, False]})
    inputs = {"a": unit("s"), "k": unit(""), "on": None}
    plain = formulas.plan(frame, inputs, ["scaled"], {"scaled": scaled})
    folded = formulas.plan(frame, inputs, ["scaled"], {"scaled": scaled},
                           constants={"k": (0.5, pl.Float64), "on": (False, pl.Boolean)})
    assert folded.units == plain.units
    assert folded.frame.collect().equals(plain.frame.collect())
    assert folded.frame.collect()["scaled"].to_list() == [2.0, -5.0, 6.0]  # a / 0.5 by hand
    assert 'col("k")' not in folded.frame.explain() and 'col("on")' not in folded.frame.explain()


@pytest.fixture(scope="module")
def space():
    return training.build_space(load_catalogs(), parse_spec({"study": "training", "axes": {
        "cluster": ["NVIDIA DGX SuperPOD DGX H100 (4 SU, 127 nodes)"], "model": ["Llama 2 7B", "Mixtral 8x7B"],
        "compute_dtype": ["bf16", "fp8"], "seq_len": [2048], "gpus": [16, 512], "tp": [1, 2, 8], "pp": [1, 4],
        "microbatch": [1, 2], "global_batch": [512, 1536], "recompute": ["none", "selective", "full"],
        "zero_stage": [0, 1, 3],
        "sequence_parallel": [True, False]}}))


def test_training_rows_are_those_of_the_plan_reading_every_column(space, monkeypatch):
    """The spec's knobs and its one-valued axes (cp, ep, LoRA rank) as literals: the same rows, every column."""
    found = constant_columns.one_valued(space)
    assert {"cp", "ep", "lora_rank", "flash_attention", "mtp_layers"} <= set(found)
    got = training.build(space).frame.collect()
    monkeypatch.setattr(training, "one_valued", lambda *_: {})
    want = training.build(space).frame.collect()
    assert got.height > 1000 and got.equals(want)
    assert got["scaling_efficiency"].drop_nulls().n_unique() > 100


def test_a_few_rows_columns_are_those_the_least_and_greatest_values_give(monkeypatch):
    """A frame of few rows (a hardware side, a chunk of it) is read by its distinct values (``_small_constants``):
    the same columns and values as from its least and greatest values, on frames of NULLs, NaNs, infinities, 0.0 and
    -0.0 (by hand: z [0.0, -0.0] two values, n all NaN one, u all NULL one, h all 0.5 one)."""
    values = [0.0, -0.0, 1.0, 3.0, float("nan"), None, float("inf"), 0.5]
    frames = [pl.DataFrame({"z": [0.0, -0.0], "n": [float("nan")] * 2, "u": pl.Series([None, None], dtype=pl.Float64),
                            "h": [0.5, 0.5], "b": [True, True], "i": [4, 4]})]
    frames += [pl.DataFrame({f"c{j}": pl.Series([values[(k * 7 + j * 3 + i) % len(values)] for i in range(n)],
                                               dtype=pl.Float64) for j in range(4)})
               for k in range(40) for n in (1, 2, 3)]
    small = [constant_columns.frame_constants(f) for f in frames]
    monkeypatch.setattr(constant_columns, "SMALL_ROWS", -1)  # the least and greatest values
    assert [{c: (repr(v), d) for c, (v, d) in s.items()} for s in small] == [
        {c: (repr(v), d) for c, (v, d) in constant_columns.frame_constants(f).items()} for f in frames]
    assert set(small[0]) == {"n", "u", "h", "b", "i"}


def test_a_chunks_columns_are_the_sides_it_holds_at_the_same_bits():
    """Each side's one-valued columns found once; rows of their own keep those they hold at the same value, bit for
    bit: -0.0 where the side holds 0.0, or 2.5 where it holds 2.0, is another value; NaN where it holds NaN the same."""
    hw = pl.DataFrame({"workload": ["t", "t"], "zero": [0.0, 0.0], "k": [2.0, 2.0], "nan": [float("nan")] * 2,
                       "flag": [True, True]})
    space = Space(hw, pl.DataFrame({"workload": ["t"], "cp": [1.0]}), {})
    found = constant_columns.one_valued(space, hw.with_columns(zero=pl.lit(-0.0), k=pl.lit(2.5)))
    assert set(found) == {"nan", "flag", "cp"}
    assert set(constant_columns.one_valued(space, hw.head(1))) == {"zero", "k", "nan", "flag", "cp"}
