"""A node sweep under a framework that graphs batch-1 engines (pipeline.studies.node_graphs, walls/graph_latency):
the written run's views compute latency_s (query time) from the written graphed compute time and the dimension
tables as the in-memory sweep does, and the sweep equals the single-configuration answer."""

from __future__ import annotations

import polars as pl
import pytest

import pipeline
from pipeline import api, runs
from pipeline.runs import database
from pipeline.catalogs.load import load_catalogs
from pipeline.errors import InputError
from pipeline.spec import parse_spec
from pipeline.studies import node_graphs

SPEC = {"axes": {"hardware": ["A100 SXM4 80GB", "L4", "MI300X"], "model": ["BERT-Large", "ResNet-50", "RetinaNet"],
                 "batch": [1, 8], "seq_len": [272], "compute_dtype": ["int8"], "workload": ["inference"]},
        "efficiency": {"framework": "TensorRT"}}
KEYS = ["hardware", "model", "batch"]


def test_the_views_and_the_sweep_price_graphed_rows_alike(tmp_path):
    memory = pipeline.sweep(SPEC).with_columns(pl.col(pl.Categorical).cast(pl.String)).sort(KEYS)
    graphed = memory.filter(pl.col("graph_compute_time_s").is_not_null())
    # BERT and ResNet-50 at batch 1 (RetinaNet eager; the L4's CNN at the fit's default ceiling, its SM count being
    # catalogued; the MI300X's CNN has no ceiling for its convolutions, its fit's tile being over the node study's);
    # the MI300X has no SM clock, so its graphed BERT row keeps the eager latency
    assert sorted(graphed.select("hardware", "model").iter_rows()) == [
        ("A100 SXM4 80GB", "BERT-Large"), ("A100 SXM4 80GB", "ResNet-50"), ("L4", "BERT-Large"),
        ("L4", "ResNet-50"), ("MI300X", "BERT-Large")]
    assert (graphed["batch"] == 1).all()
    eager = pipeline.sweep(SPEC | {"efficiency": {"framework": "default"}}).with_columns(
        pl.col(pl.Categorical).cast(pl.String)).sort(KEYS)
    mi300x = pl.col("hardware") == "MI300X"
    assert memory.filter(mi300x)["latency_s"].equals(eager.filter(mi300x)["latency_s"])
    run_dir = runs.run(runs.prepare(parse_spec(SPEC)), tmp_path)
    con = database.connect(run_dir)
    try:
        view = con.sql("select hardware, model, batch, latency_s from node").pl().sort(KEYS)
    finally:
        con.close()
    assert view.select(KEYS).equals(memory.select(KEYS))
    rel = ((view["latency_s"] - memory["latency_s"]).abs() / memory["latency_s"]).max()
    assert rel <= 1e-6
    one = api.evaluate("BERT-Large", "A100 SXM4 80GB", batch=1, compute_dtype="int8", seq_len=272,
                       framework="TensorRT").row(0, named=True)["latency_s"]
    at = memory.filter((pl.col("hardware") == "A100 SXM4 80GB") & (pl.col("model") == "BERT-Large")
                       & (pl.col("batch") == 1))["latency_s"].item()
    assert at == pytest.approx(one, rel=1e-12) and one == pytest.approx(1.6647e-3, abs=1e-7)


def test_the_default_gemm_form_is_the_fits_and_a_profile_compute_model_keeps_the_profile_eta():
    """node_graphs.default_fit reads the one form the kernel catalog gives parts without a MAMF row (128 x 128,
    ceiling 0.908845, best fraction 0.7288: the median of the MAMF fractions, MI355X's 0.6219 among them since
    r-b300gemm); two forms are an error naming the column. Under compute_model
    "profile" no part gets it: the L4's graphed BERT compute is its eager compute."""
    kernels = load_catalogs().kernel_efficiency
    assert node_graphs.default_fit(kernels) == pytest.approx(
        {"tile_m": 128.0, "tile_n": 128.0, "ceiling": 0.908845, "best_fraction": 0.7288}, abs=1e-6)
    two = kernels.with_columns(pl.when(pl.col("hardware") == "L40S").then(0.5).otherwise(pl.col("ceiling"))
                               .alias("ceiling"))
    with pytest.raises(InputError, match="ceiling_source"):
        node_graphs.default_fit(two)
    spec = {"axes": SPEC["axes"] | {"hardware": ["L4"], "model": ["BERT-Large"], "batch": [1]},
            "efficiency": {"framework": "TensorRT", "compute_model": "profile"}}
    profile = pipeline.sweep(spec).row(0, named=True)
    assert profile["graph_compute_time_s"] == pytest.approx(profile["compute_time_s"], rel=1e-12)
