"""Rows predicted together (``pipeline.validation.grouping``): training rows of several models and clusters
share a space while their axes stay small, and sharing one changes no prediction."""

from __future__ import annotations

import math

import polars as pl

from pipeline.validation import predict, read_measurements
from pipeline.validation.grouping import bounded, group_key


def training(model: str, cluster: str, tp: list[int]) -> dict:
    return {"study": "training", "axes": {"model": [model], "cluster": [cluster], "tp": tp},
            "efficiency": {"framework": "Megatron-LM"}}


def test_training_rows_share_a_space_while_their_axes_multiply_to_the_limit():
    specs = {0: training("a", "x", [1]), 1: training("b", "x", [1]), 2: training("b", "y", [2]),
             3: training("c", "z", [1, 2, 4])}
    assert len({group_key(s) for s in specs.values()}) == 1  # model and cluster are not in the key
    # 0+1: 2 models x 1 cluster x 1 tp = 2; adding 2 gives 2 x 2 x 2 = 8 > 4, so 2 starts a run;
    # 2+3: 2 x 2 x 3 = 12 > 4, and 3 alone is 1 x 1 x 3 = 3 <= 4
    assert bounded([0, 1, 2, 3], specs, limit=4) == [[0, 1], [2], [3]]
    assert bounded([0, 1, 2, 3], specs, limit=12) == [[0, 1, 2], [3]]
    assert bounded([3], specs, limit=2) == [[3]]  # over the limit alone: a run of its own


def test_node_and_serving_rows_of_one_key_stay_one_group():
    specs = {i: {"study": "serving", "axes": {"model": [m], "batch": [1, 2, 4]}, "efficiency": {"framework": "vLLM"}}
             for i, m in enumerate("abc")}
    assert bounded([0, 1, 2], specs, limit=1) == [[0, 1, 2]]


def test_predictions_do_not_depend_on_the_rows_predicted_beside_them(catalogs, monkeypatch):
    """Six training runs of different models and clusters: in shared spaces, and each in its own (a
    limit of one configuration), the same predictions, bands, bounds and η grids."""
    from pipeline.validation import grouping

    measured = read_measurements(None, catalogs).rows
    rows = (measured.filter(pl.col("study") == "training", pl.col("cluster").is_not_null())
            .unique(["model", "cluster"], keep="first", maintain_order=True).head(6))
    assert rows["model"].n_unique() > 1 and rows["cluster"].n_unique() > 1
    shared = predict(rows, catalogs)
    monkeypatch.setattr(grouping, "MAX_CONFIGURATIONS", 1)
    alone = predict(rows, catalogs)
    assert shared["predicted"].is_not_null().sum() > 0
    assert shared.equals(alone)


def test_rows_of_several_frameworks_share_a_plan_with_the_predictions_of_each_alone(catalogs):
    """Serving rows of TensorRT-LLM and vLLM on the same hardware: one group (the framework is not in the key), each
    framework's hardware rows named apart, and the same predictions as each framework's rows predicted alone."""
    spec = {"study": "serving", "axes": {"model": ["m"], "batch": [1]}}
    assert group_key(spec | {"efficiency": {"framework": "vLLM"}}) == group_key(
        spec | {"efficiency": {"framework": "TensorRT-LLM"}})
    measured = read_measurements(None, catalogs).rows
    offline = measured.filter(pl.col("study") == "serving", pl.col("metric") == "tokens_per_s",
                              pl.col("request_rate").is_null(), pl.col("hardware") == "H100 SXM5 80GB")
    rows = pl.concat([offline.filter(pl.col("framework") == f).head(2) for f in ("TensorRT-LLM", "vLLM")])
    assert rows.height == 3 and rows["framework"].n_unique() == 2  # one vLLM row on an H100 in the catalog
    together = predict(rows, catalogs)
    apart = pl.concat([predict(rows.filter(pl.col("framework") == f), catalogs) for f in ("TensorRT-LLM", "vLLM")])
    assert together["predicted"].is_not_null().sum() >= 2
    assert together["eta_compute"].n_unique() > 1  # the frameworks' own profiles, not the first's
    same = ["name", "reason", "bound", "batch_used", "eta_compute", "eta_low", "eta_high", "family"]
    assert together.select(same).equals(apart.select(same))
    for column in ("predicted", "predicted_low", "predicted_high", "grid"):  # float sums in another row order
        for a, b in zip(together[column].explode(), apart[column].explode(), strict=True):
            assert (a is None) == (b is None) and (a is None or math.isclose(a, b, rel_tol=1e-12))


def test_rows_of_several_serving_knobs_share_a_plan_with_the_predictions_of_each_alone(catalogs):
    """AMD's vLLM rows stating scheduler_steps (a [serving] knob: a hardware-side column) and the same rows without
    it: one group, each knob's hardware rows named apart, the predictions of each set predicted alone, and the knob
    still reaches their TTFT (``walls.multi_step``'s block wait, ``serving_load.prompts_per_iteration``'s block)."""
    measured = read_measurements(None, catalogs).rows
    stepped = measured.filter(pl.col("scheduler_steps").is_not_null(), pl.col("request_rate").is_not_null(),
                              pl.col("metric").is_in(["ttft_s", "itl_s"]))
    plain = stepped.with_columns(pl.lit(None, stepped.schema["scheduler_steps"]).alias("scheduler_steps"),
                                 pl.col("name") + " (no knob)")
    together = predict(pl.concat([stepped, plain]), catalogs)
    apart = pl.concat([predict(stepped, catalogs), predict(plain, catalogs)])
    n = stepped.height
    both = together.head(n)["predicted"].is_not_null() & together.tail(n)["predicted"].is_not_null() & (
        stepped["metric"] == "ttft_s")
    assert both.sum() >= 4  # TTFT waits for the scheduler's block of steps; the inter-token latency does not
    knob, none = together.head(n).filter(both)["predicted"], together.tail(n).filter(both)["predicted"]
    assert ((knob - none).abs() > 1e-6 * none).all()  # the knob reaches every TTFT
    # mostly longer (the block's wait); near saturation the block's prompts prefilling together can win instead
    # (serving_load.prompts_per_iteration: the MI300X Mixtral Server rows, registry_data/research/r-prefbatch)
    assert (knob > none).sum() >= 4
    same = ["name", "reason", "bound", "batch_used", "eta_compute", "eta_low", "eta_high", "family"]
    assert together.select(same).equals(apart.select(same))
    for column in ("predicted", "predicted_low", "predicted_high", "grid"):
        for a, b in zip(together[column].explode(), apart[column].explode(), strict=True):
            assert (a is None) == (b is None) and (a is None or math.isclose(a, b, rel_tol=1e-12))
