"""Per-row serving context as values of one space (``pipeline.validation.row_context``, ``shared_space``): rows that
differ by their stated lengths share a group, a group's space is built in parts, and neither changes a
prediction."""

from __future__ import annotations

import math
import sys

import polars as pl

from pipeline.catalogs import overrides
from pipeline.validation import read_measurements
from pipeline.validation.grouping import group_key
from pipeline.validation.row_context import fold_stated_lengths, stated_name


def serving(axes: dict, overrides_: dict | None = None) -> dict:
    base = {"model": ["m"], "hardware": ["h"], "compute_dtype": ["fp8"], "tp": [1, 2], "pp": [1], "ep": [1],
            "batch": [1, 2]}
    spec = {"study": "serving", "axes": base | axes, "efficiency": {"framework": "vLLM"}}
    return spec | ({"overrides": overrides_} if overrides_ else {})


def test_stated_lengths_become_workloads_rows_and_leave_the_group_key(catalogs):
    workloads = catalogs.workloads
    dataset = workloads.filter(pl.col("output_tokens_mean").is_not_null())["name"][0]
    specs = {0: serving({"dataset": [dataset]}, {"workloads.output_tokens_mean": "146 tok"}),
             1: serving({"dataset": [dataset]}, {"workloads.output_tokens_mean": "291 tok"}),
             2: serving({"prompt_len": [128], "output_len": [64]})}
    assert len({group_key(s) for s in specs.values()}) == 3  # the overrides and the axes split them
    folded, table = fold_stated_lengths(specs, workloads)
    assert len({group_key(s) for s in folded.values()}) == 1
    assert all("overrides" not in s for s in folded.values())
    # each row's own workloads row holds what the override set on the whole table (overrides.apply)
    for i, tokens in ((0, 146.0), (1, 291.0)):
        (name,) = folded[i]["axes"]["dataset"]
        assert name == stated_name(dataset, {"output_tokens_mean": tokens})
        own = table.filter(pl.col("name") == name)
        as_override = overrides.apply(catalogs, {"workloads.output_tokens_mean": tokens}).workloads.filter(
            pl.col("name") == dataset)
        assert own.drop("name", "aliases").equals(as_override.drop("name", "aliases"))
    fixed = table.filter(pl.col("name") == folded[2]["axes"]["dataset"][0])
    assert fixed.select("input_tokens_mean", "output_tokens_mean", "output_tokens_std").row(0) == (128.0, 64.0, None)
    assert table.height == workloads.height + 3


def test_serving_rows_predicted_together_as_in_their_own_spaces(catalogs, monkeypatch):
    """TensorRT-LLM offline rows, three with a dataset and different stated output lengths, one of stated
    lengths: one group here, four with the lengths as overrides of the workloads catalog (as before); every
    row's space built alone (one configuration per part) too. The same predictions, bounds, batches and η
    grids (to the last bits of a float sum)."""
    from pipeline.validation import predict, shared_space

    module = sys.modules["pipeline.validation.predict"]  # the package exports its function under the same name
    measured = read_measurements(None, catalogs).rows
    trt = measured.filter(pl.col("study") == "serving", pl.col("framework") == "TensorRT-LLM",
                          pl.col("metric") == "tokens_per_s")
    dataset = pl.col("dataset").is_not_null() & pl.col("prompt_len").is_null() & pl.col("output_len").is_not_null()
    offline = trt.filter(pl.col("request_rate").is_null())
    rows = pl.concat([offline.filter(dataset).unique("output_len", keep="first", maintain_order=True).head(3),
                      offline.filter(pl.col("dataset").is_null(), pl.col("prompt_len").is_not_null()).head(1)])
    assert rows.height == 4 and rows["output_len"].n_unique() == 4
    together = predict(rows, catalogs)
    monkeypatch.setattr(shared_space, "PART_CONFIGURATIONS", 1)
    parts = predict(rows, catalogs)
    monkeypatch.setattr(module, "fold_stated_lengths", lambda specs, workloads: (specs, workloads))
    apart = predict(rows, catalogs)
    assert together["predicted"].is_not_null().sum() >= 3
    for other in (parts, apart):
        assert together.select("name", "reason", "bound", "batch_used", "eta_compute", "family").equals(
            other.select("name", "reason", "bound", "batch_used", "eta_compute", "family"))
        for column in ("predicted", "predicted_low", "predicted_high"):
            for a, b in zip(together[column], other[column], strict=True):
                assert (a is None) == (b is None) and (a is None or math.isclose(a, b, rel_tol=1e-12))
        for a, b in zip(together["grid"].explode(), other["grid"].explode(), strict=True):
            assert (a is None) == (b is None) and (a is None or math.isclose(a, b, rel_tol=1e-12))
