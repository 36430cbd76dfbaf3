"""registry_data/research/r-gptoss: the GPT-OSS rows of TensorRT-LLM's perf overview (add_rows.py) are the page's
figures in the catalog's columns, every one predicted, and a second run changes nothing; the models catalog's GPT-OSS
rows carry the checkpoint's quantized layers (apply_models.py), idempotently."""

from __future__ import annotations

import polars as pl
from pipeline.catalogs.io import read_catalog, write_catalog
from pipeline.catalogs.load import load_catalogs
from pipeline.validation.measurements import read_measurements
from pipeline.validation.predict import predict
from tests.catalogs.research import REGISTRY, script

HERE = REGISTRY / "research" / "r-gptoss"
ADD = script(HERE / "add_rows.py", "r_gptoss_add_rows")
MODELS = script(HERE / "apply_models.py", "r_gptoss_apply_models")


def test_the_rows_are_the_pages_figures():
    """perf-overview.md: GPT-OSS 120B '1024/1024' under 'B200 DEP2 (FP4)' 25,870 and under 'H200 TP1 (FP8)' 6,798;
    GPT-OSS 20B '32768/1024' under 'H100 TP1 (FP8)' 785; 44 non-empty cells (48 less 4 empty)."""
    rows = ADD.rows()
    assert rows.height == 44 and rows["name"].n_unique() == 44
    one = rows.filter(pl.col("name") == "trtllm-perf-gptoss-120b-b200-dep2-in1024-out1024-per-gpu").row(0, named=True)
    assert (one["value"], one["devices"], one["tp"], one["ep"], one["requests"]) == (25870.0, 2, 1, 2, 3000)
    assert (one["compute_dtype"], one["weight_dtype"], one["kv_dtype"]) == ("fp8", "fp4", "fp8")
    hopper = rows.filter(pl.col("name") == "trtllm-perf-gptoss-120b-h200-tp1-in1024-out1024-per-gpu")
    assert hopper.select("value", "compute_dtype", "kv_dtype").row(0) == (6798.0, "bf16", "bf16")
    small = rows.filter(pl.col("name") == "trtllm-perf-gptoss-20b-h100-tp1-in32768-out1024-per-gpu")
    assert small["value"].item() == 785
    assert rows["source_url"].unique().to_list() == [ADD.URL]


def test_a_second_run_changes_nothing_and_every_row_is_predicted(registry):
    path = registry / "measurements.parquet"
    before = path.read_bytes()
    ADD.main(registry)
    assert path.read_bytes() == before  # the bundled catalog already holds them (appended by the lead)
    without = read_catalog("measurements", registry).filter(~pl.col("name").str.starts_with(ADD.PREFIX))
    write_catalog(without, "measurements", registry)
    ADD.main(registry)
    first = path.read_bytes()
    ADD.main(registry)
    assert path.read_bytes() == first
    measured = read_catalog("measurements", registry)
    added = measured.filter(pl.col("name").str.starts_with(ADD.PREFIX))
    assert added.height == 44 and measured.height == without.height + 44
    catalogs = load_catalogs(registry)
    rows = read_measurements(None, catalogs).rows.filter(pl.col("name").str.starts_with(ADD.PREFIX))
    out = predict(rows, catalogs)
    assert rows.height == 44 and out["predicted"].null_count() == 0  # none dropped


def test_the_models_columns_replay_idempotently(registry):
    path = registry / "models.parquet"
    before = path.read_bytes()
    MODELS.apply(registry)
    assert path.read_bytes() == before  # the bundled catalog already holds them
    models = read_catalog("models", registry)
    assert models.filter(pl.col("quantized_layers") == "experts")["name"].sort().to_list() == [
        "GPT-OSS 120B", "GPT-OSS 20B"]
