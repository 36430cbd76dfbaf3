"""Issue 15: a chunk's hardware rows a plan cannot tell apart, computed once and repeated (``hardware_runs``)."""

from __future__ import annotations

from dataclasses import replace

import polars as pl

from pipeline.catalogs.load import load_catalogs
from pipeline.spec import parse_spec
from pipeline.studies import hardware_runs, serving
from pipeline.studies.paired import paired

HW = pl.DataFrame({"hardware": ["A", "A", "A", "B", "A"], "dtype": ["fp16", "bf16", "fp8", "fp16", "bf16"],
                   "peak": [1.0, 1.0, 2.0, 1.0, 1.0], "domain": [8.0, 8.0, 8.0, None, None], "workload": ["i"] * 5})
MODEL = pl.DataFrame({"model": ["m1", "m2", "m3"], "tp": [1.0, 16.0, 2.0], "workload": ["i"] * 3})


def test_runs_of_adjacent_rows_equal_on_the_keys_then_repeated_in_the_joins_order():
    reduced = hardware_runs.runs(HW, ["hardware", "peak", "domain"])
    # hand-made: rows 0-1 (A, 1.0, 8.0), row 2 (peak 2.0), row 3 (B), row 4 (A again: not adjacent to rows 0-1)
    assert reduced.select(hardware_runs.FIRST, hardware_runs.ROWS).rows() == [(0, 2), (2, 1), (3, 1), (4, 1)]
    assert reduced["dtype"].to_list() == ["fp16", "fp8", "fp16", "bf16"]
    # a plan reading the keys only, on the reduced rows, then repeated: the plan on every row, the labels each row's
    rule = ~(pl.col("tp") > pl.col("domain")).fill_null(False)

    def plan(hw):
        return paired(hw, MODEL, rule).with_columns(time=pl.col("tp") / pl.col("peak"))

    got = hardware_runs.expanded(plan(reduced), HW, ["dtype"]).select(plan(HW).collect_schema().names()).collect()
    assert got.equals(plan(HW).collect())
    assert got.select("model", "dtype").rows()[:4] == [("m1", "fp16"), ("m1", "bf16"), ("m1", "fp8"), ("m1", "fp16")]


def test_a_run_holds_rows_equal_on_every_key_null_equal_to_null():
    """Polars' ``ne_missing`` on each key (the struct of the keys against the row before): NULL equals NULL, 0.0
    equals -0.0 (IEEE), NaN equals NaN (polars' total order), a NULL and a value differ. By hand: rows 0-1 (1.0, x,
    NULL), rows 2-3 (NULL, NULL, NULL), row 4 (NULL, NULL, 1: c differs), rows 5-6 (0.0 and -0.0, y, 1), rows 7-8
    (NaN, y, 1), row 9 (NaN, NULL, 1: b differs)."""
    nan = float("nan")
    hw = pl.DataFrame({"a": [1.0, 1.0, None, None, None, 0.0, -0.0, nan, nan, nan],
                       "b": ["x", "x", None, None, None, "y", "y", "y", "y", None],
                       "c": [None, None, None, None, 1, 1, 1, 1, 1, 1]})
    reduced = hardware_runs.runs(hw, ["a", "b", "c"])
    assert reduced.select(hardware_runs.FIRST, hardware_runs.ROWS).rows() == [(0, 2), (2, 2), (4, 1), (5, 2), (7, 2),
                                                                                (9, 1)]


def test_no_run_of_two_rows():
    assert hardware_runs.runs(HW, ["dtype", "hardware"]) is None
    assert hardware_runs.runs(HW.head(1), ["hardware"]) is None


def test_serving_computes_fp16_and_bf16_twins_once_with_every_value_as_per_hardware_row():
    """fp16 and bf16 rows of one accelerator read the same peaks and classes: the plan runs on one of them and
    repeats it; every output column (the operator breakdown too) equals the plan on every hardware row, grouped by
    accelerator or not, the hardware rows in the writer's order (by accelerator) and a chunk of a few of them."""
    space = serving.build_space(load_catalogs(), parse_spec({"study": "serving", "axes": {
        "model": ["Llama 3 8B", "Mixtral 8x7B"], "hardware": ["H100 SXM5 80GB", "A100 SXM4 80GB", "MI300X"],
        "precision": ["fp16", "bf16", "fp8"], "tp": [1, 2, 8], "pp": [1, 2], "batch": [1, 32],
        "prompt_len": [512, 2048], "output_len": [128, 256]}}))
    hw = space.hardware_side.sort(pl.col("hardware").cast(pl.String), maintain_order=True)  # the writer's order
    assert hardware_runs.runs(space.hardware_side, serving._run_keys(space)) is None  # precision major: none adjacent
    for planned in (space, replace(space, grouped_by="hardware")):
        for side in (hw, hw.slice(1, 4)):
            keys = serving._run_keys(planned)
            assert "compute_dtype" not in keys and ("hardware" in keys) == (planned.grouped_by == "hardware")
            reduced = hardware_runs.runs(side, keys)
            assert reduced is not None and reduced.height < side.height
            got = serving.build(planned, side, breakdown=True).frame.collect()
            serving_keys = serving._run_keys
            try:
                serving._run_keys = lambda s: None
                want = serving.build(planned, side, breakdown=True).frame.collect()
            finally:
                serving._run_keys = serving_keys
            assert got.height == want.height > 0 and got.equals(want)
            assert got["compute_dtype"].n_unique() == side["compute_dtype"].n_unique()
