"""Training rows' layouts, contexts and stated knobs as values of one space (``pipeline.validation.training_context``,
``shared_space.variant``): rows stating dp or devices, a longer context than the catalog's, or their kernels, share
one group, with the predictions each row has in a group of its own."""

from __future__ import annotations

import math

import polars as pl

from pipeline.validation import predict, read_measurements
from pipeline.validation.grouping import group_key
from pipeline.validation.training_context import fold_training


def spec(model: str, layout: dict, **more) -> dict:
    axes = {"model": [model], "cluster": ["c"], **layout, "tp": [4], "pp": [2], "cp": [2], "seq_len": [8192]}
    return {"study": "training", "axes": axes, "efficiency": {"framework": "Megatron-LM"}} | more


def test_dp_becomes_gpus_and_a_context_override_raises_only_its_model(catalogs):
    specs = {0: spec("Llama 2 70B", {"dp": [3]}, overrides={"models.max_context_tokens": "8192 tok"}),
             1: spec("Llama 2 70B", {"gpus": [16]}),
             2: spec("Llama 2 70B", {"dp": [1]}, overrides={"models.max_context_tokens": "16384 tok"}),
             3: {"study": "serving", "axes": {"model": ["Llama 2 70B"]},
                 "overrides": {"models.max_context_tokens": "8192 tok"}}}
    folded, trained = fold_training(specs, catalogs)
    assert folded[0]["axes"]["gpus"] == [3 * 4 * 2 * 2] and "dp" not in folded[0]["axes"]  # dp x tp x pp x cp
    assert folded[2]["axes"]["gpus"] == [16] and "overrides" not in folded[2]
    assert folded[3] == specs[3]  # serving keeps its override: there the column caps each sequence's KV cache
    assert len({group_key(folded[i]) for i in (0, 1, 2)}) == 1
    context = dict(trained.models.select("name", "max_context_tokens").iter_rows())
    before = dict(catalogs.models.select("name", "max_context_tokens").iter_rows())
    assert context["Llama 2 70B"] == 16384  # the longest its rows state
    assert {m: c for m, c in context.items() if m != "Llama 2 70B"} == {
        m: c for m, c in before.items() if m != "Llama 2 70B"}
    assert trained.models.schema == catalogs.models.schema


def test_folded_training_rows_predict_as_each_row_in_its_own_group(catalogs, monkeypatch):
    """Rows stating dp and rows stating devices, LoRA rows at 8,192 tokens of a 4,096-token model (the override)
    and rows stating their kernels ([training] knobs): predicted in one space, then each alone as before the fold
    (its own dp axis, override and knobs): the same predictions, bands, bounds, batches and η grids."""
    import importlib

    predict_module = importlib.import_module("pipeline.validation.predict")  # the module, not its function
    measured = read_measurements(None, catalogs).rows
    training = measured.filter(((pl.col("study") == "training") | (pl.col("trained") == "lora"))
                               & pl.col("cluster").is_not_null())
    rows = pl.concat([training.filter(pl.col("dp").is_not_null()).head(2),
                      training.filter(pl.col("dp").is_null(), pl.col("trained").ne_missing("lora"),
                                      pl.col("fp8_params").is_null()).head(2),
                      training.filter(pl.col("trained") == "lora", pl.col("fp8_params").is_null()).head(1),
                      training.filter(pl.col("fp8_params").is_not_null()).head(1)]).unique("name", maintain_order=True)
    assert rows.height == 6
    together = predict(rows, catalogs)
    monkeypatch.setattr(predict_module, "fold_training", lambda specs, c: (specs, c))  # as before the fold
    alone = pl.concat([predict(rows.slice(i, 1), catalogs) for i in range(rows.height)])
    assert together["predicted"].is_not_null().sum() >= 4
    same = ["name", "reason", "bound", "batch_used", "eta_compute", "eta_low", "eta_high", "family"]
    assert together.select(same).equals(alone.select(same))
    for column in ("predicted", "predicted_low", "predicted_high", "grid"):  # float sums in another row order
        for a, b in zip(together[column].explode(), alone[column].explode(), strict=True):
            assert (a is None) == (b is None) and (a is None or math.isclose(a, b, rel_tol=1e-12))
