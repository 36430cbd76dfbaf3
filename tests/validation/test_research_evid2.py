"""registry_data/research/r-evid2/apply.py: the layouts, precisions and clusters it states for MLPerf Training
rows replay onto copies of the catalogs, each cited to a line of an MLPerf results file, and a second run
changes nothing (so it and r-feas2 replay in either order)."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import polars as pl

import pipeline

ROOT = Path(pipeline.__file__).parent.parent / "registry_data"


def _module():
    spec = importlib.util.spec_from_file_location("apply_evid2", ROOT / "research" / "r-evid2" / "apply.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_stated_cells_replay_and_change_nothing_twice(tmp_path):
    module = _module()
    for table in ("measurements", "clusters"):
        shutil.copy(ROOT / f"{table}.parquet", tmp_path / f"{table}.parquet")
    module.apply(tmp_path)
    once = {t: pl.read_parquet(tmp_path / f"{t}.parquet") for t in ("measurements", "clusters")}
    module.apply(tmp_path)
    for table, frame in once.items():
        assert pl.read_parquet(tmp_path / f"{table}.parquet").equals(frame), table
    clusters = set(once["clusters"]["name"])
    for name, cells in module.PATCHES.items():
        row = once["measurements"].filter(pl.col("name") == name).row(0, named=True)
        for column, value, source in cells:
            assert source.startswith("https://github.com/mlcommons/training_results_v") and "#L" in source
            assert row[column] == value, (name, column)
            assert column != "cluster" or value in clusters


def test_the_oracle_lora_layout_gives_the_logged_batch():
    """Oracle 16 x 8 H100 (result_0.txt: TP 4, CP 2, micro batch 1; global_batch_size 16, gradient
    accumulation 1): dp = 128 / (4 x 2) = 16 ranks x 1 sequence = the logged global batch."""
    row = pl.read_parquet(ROOT / "measurements.parquet").filter(
        pl.col("name") == "mlperf-train-v4.1-oracle-128xbm.gpu.h100.8-llama2-70b-lora-throughput").row(0, named=True)
    assert row["devices"] // (row["tp"] * row["pp"] * row["cp"]) * row["microbatch"] == row["batch"] == 16
