"""The one builder of both sides of a space: drop rules, their counts, shared rules."""

from __future__ import annotations

from dataclasses import replace

import polars as pl
import pytest

from pipeline import runs
from pipeline.catalogs.load import load_catalogs
from pipeline.spec import load_spec, parse_spec
from pipeline.studies import serving, training
from pipeline.studies.sides import NO_PEAK, Rule, apply_rules, no_eta

H100 = "H100 SXM5 80GB"
H100_POD = "NVIDIA DGX SuperPOD DGX H100 (4 SU, 127 nodes)"
NO_ETA = "no efficiency profile matches (add a 'default' row)"


def test_apply_rules_counts_a_row_once_under_its_first_reason():
    frame = pl.DataFrame({"x": [1, 2, 3, 4, None], "w": [10, 20, 30, 40, 50]})
    rules = [Rule("big", pl.col("x") >= 3), Rule("even", (pl.col("x") % 2) == 0)]
    kept, dropped = apply_rules(frame, rules, "w")
    # x = 4 breaks both rules: counted under "big" only; null x: unknown, dropped under the first rule
    assert dropped == {"big": 30 + 40 + 50, "even": 20}
    assert kept["x"].to_list() == [1]
    assert apply_rules(frame, rules)[1] == {"big": 3, "even": 1}  # without weights: one per row


def test_a_rule_can_keep_rows_it_cannot_judge():
    frame = pl.DataFrame({"x": [1, 3, None]})
    kept, dropped = apply_rules(frame, [Rule("big", pl.col("x") >= 3, if_null=False)])
    assert dropped == {"big": 1}
    assert kept["x"].to_list() == [1, None]


def _serving(**axes) -> dict:
    return {"study": "serving", "axes": {"hardware": [H100], "model": ["Llama 3 8B"], "precision": ["fp16"],
                                         "tp": [1], "pp": [1], "batch": [1], "prompt_len": [512],
                                         "output_len": [128]} | axes}


def test_serving_rows_and_drops_add_up_to_the_product_of_the_axes():
    catalogs = load_catalogs()
    spec = parse_spec(_serving(hardware="all", model="all", precision=["fp16", "fp8"], tp=[1, 2, 8], pp=[1, 2],
                               prompt_len=[512, 8192]))
    space = serving.build_space(catalogs, spec)
    # every hardware x 2 precisions x every model x 3 tp x 2 pp x 1 batch x 2 prompts x 1 output
    product = catalogs.hardware.height * 2 * catalogs.models.height * 3 * 2 * 2
    assert space.rows + sum(space.dropped.values()) == product
    assert runs.collect(runs.prepare(spec)).height == space.rows


def test_training_rows_and_drops_add_up_to_the_product_of_the_axes():
    catalogs = load_catalogs()
    axes = {"cluster": "all", "model": "all", "compute_dtype": ["bf16", "fp8"], "seq_len": [4096],
            "gpus": [8, 64], "tp": [1, 2, 8], "pp": [1, 4], "microbatch": [1], "global_batch": [256],
            "zero_stage": [1, 3], "sequence_parallel": [True, False]}
    spec = parse_spec({"study": "training", "axes": axes})
    space = training.build_space(catalogs, spec)
    # clusters x 2 dtypes x models x 2 gpus x 3 tp x 2 pp x 2 zero stages x 2 sequence_parallel
    # (cp, ep, microbatch, global_batch, virtual_stages, recompute: one value each)
    product = catalogs.clusters.height * 2 * catalogs.models.height * 2 * 3 * 2 * 2 * 2
    assert space.rows + sum(space.dropped.values()) == product


def test_one_no_peak_rule_for_every_study():
    # T4 publishes no fp8 peak: the node, serving and training studies drop it under the same reason
    node = runs.prepare(parse_spec({"axes": {"hardware": ["T4"], "model": ["Llama 2 7B"], "compute_dtype": ["fp8"],
                                             "batch": [1], "seq_len": [512], "workload": ["inference"]}}))
    srv = runs.prepare(parse_spec(_serving(hardware=["T4"], precision=["fp8"])))
    assert node.space.dropped == {NO_PEAK.reason: 2}  # prefill and decode
    assert srv.space.dropped == {NO_PEAK.reason: 1}
    assert NO_PEAK.reason == "hardware has no published dense peak for compute_dtype"
    assert training.DROP_NO_PEAK == serving.DROP_NO_PEAK == NO_PEAK.reason


def _without_fallback_profiles():
    """The bundled catalogs without the efficiency rows that match every framework."""
    catalogs = load_catalogs()
    profiles = catalogs.efficiency_profiles.filter(~pl.col("framework").is_in(["any", "default"]))
    return replace(catalogs, efficiency_profiles=profiles)


def test_serving_and_training_drop_and_count_rows_no_profile_describes():
    catalogs = _without_fallback_profiles()
    srv = serving.build_space(catalogs, parse_spec(_serving(batch=[1, 8])))
    assert srv.rows == 0 and srv.dropped == {NO_ETA: 2}  # 1 hardware x 1 dtype x 1 model x 2 batches
    axes = {"cluster": [H100_POD], "model": ["Llama 3 8B"], "compute_dtype": ["bf16"], "seq_len": [4096],
            "gpus": [8], "tp": [1, 8], "global_batch": [64], "sequence_parallel": [False]}
    trn = training.build_space(catalogs, parse_spec({"study": "training", "axes": axes}))
    assert trn.rows == 0 and trn.dropped == {NO_ETA: 2}  # 1 cluster x 1 dtype x 1 model x 2 layouts
    assert no_eta(("compute", "link")).reason == NO_ETA


def test_a_model_without_a_published_context_limit_is_kept():
    catalogs = load_catalogs()
    models = catalogs.models.with_columns(
        max_context_tokens=pl.when(pl.col("name") == "Llama 3 8B").then(None).otherwise(pl.col("max_context_tokens")))
    catalogs = replace(catalogs, models=models)
    srv = serving.build_space(catalogs, parse_spec(_serving(prompt_len=[512, 1_000_000])))
    assert srv.rows == 2 and srv.dropped == {}
    axes = {"cluster": [H100_POD], "model": ["Llama 3 8B"], "compute_dtype": ["bf16"], "seq_len": [4096, 1_048_576],
            "gpus": [8], "tp": [8], "global_batch": [64], "sequence_parallel": [False]}
    trn = training.build_space(catalogs, parse_spec({"study": "training", "axes": axes}))
    assert trn.rows == 2 and trn.dropped == {}


def test_pair_rules_filter_the_rows_they_count():
    # H100: 8 devices per NVLink domain. tp 16 does not fit; tp 8 x pp 2 spans two nodes of the
    # H100's reference cluster over its scale-out fabric (serving_ep).
    prepared = runs.prepare(parse_spec(_serving(tp=[1, 8, 16], pp=[1, 2])))
    assert prepared.space.dropped == {serving.DROP_DOMAIN: 2}
    frame = runs.collect(prepared)
    assert frame.height == prepared.rows == 4
    assert sorted(zip(frame["tp"], frame["pp"], strict=True)) == [(1.0, 1.0), (1.0, 2.0), (8.0, 1.0), (8.0, 2.0)]


@pytest.mark.parametrize("name", ["default", "serving", "training"])
def test_every_column_of_both_sides_has_a_declared_unit(name):
    space = runs.prepare(load_spec(name)).space
    for side in (space.hardware_side, space.model_side):
        assert set(side.columns) <= set(space.units)
        floats = [c for c, dtype in side.schema.items() if dtype.is_float()]
        assert [c for c in floats if space.units[c] is None] == []  # a number carries a unit


def test_apply_rules_counts_each_row_under_its_first_rule_weighted():
    """Hand count: a > 2 drops rows 3 and 4 (weights 30 + 40); a > 1 then row 2 (20); a literal rule every row."""
    frame = pl.DataFrame({"a": [1, 2, 3, 4], "n": [10, 20, 30, 40]})
    kept, dropped = apply_rules(frame, [Rule("x", pl.col("a") > 2), Rule("y", pl.col("a") > 1)], "n")
    assert kept["a"].to_list() == [1] and dropped == {"x": 70, "y": 20}
    kept, dropped = apply_rules(frame, [Rule("all", pl.lit(True)), Rule("x", pl.col("a") > 2)])
    assert kept.height == 0 and dropped == {"all": 4, "x": 0}


def test_apply_rules_sums_a_reason_two_rules_give_and_keeps_the_frames_columns():
    """Hand count: rules "x" (a > 3: row 4, weight 40) and "x" again (a > 1: rows 2 and 3, 20 + 30) both count under
    "x"; no rule: every row kept, nothing dropped; the kept frame has its own columns only."""
    frame = pl.DataFrame({"a": [1, 2, 3, 4], "n": [10, 20, 30, 40]})
    kept, dropped = apply_rules(frame, [Rule("x", pl.col("a") > 3), Rule("x", pl.col("a") > 1)], "n")
    assert dropped == {"x": 90} and kept.columns == ["a", "n"] and kept["a"].to_list() == [1]
    kept, dropped = apply_rules(frame, [])
    assert dropped == {} and kept.equals(frame)
