"""registry_data/research/r-mbfp8: the Megatron-Bridge 26.02 GB200 FP8 Llama 3 70B row states the recomputation its
recipe sets (none: it offloads 40 layers' activations instead, the row's cpu_offloading_num_layers), cited once to
the pinned config line; the replay restores the cell and note on a copy without them and a second run changes
nothing."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import polars as pl
import pytest

from pipeline.catalogs.io import read_catalog, write_catalog
from pipeline.spec.axes import RECOMPUTE
from tests.catalogs.research import script

HERE = Path(__file__).resolve().parents[2] / "registry_data" / "research" / "r-mbfp8"
REGISTRY = HERE.parent.parent
ROW = "mbridge-26.02-dgx-gb200-fp8-llama3_70b-64gpus-tokens-per-s"


@pytest.fixture(scope="module")
def apply():
    return script(HERE / "apply.py", "r_mbfp8_apply")


def test_the_cell_is_the_recipes_recompute_cited_to_its_pinned_line():
    """LLAMA3_70B_PRETRAIN_CONFIG_GB200_FP8_CS_V2 (llama3_workload_base_configs.py L241 at 0a25f911, the commit the
    row's source_url names) sets cpu_offloading_num_layers=40 and no recompute: the row keeps its 40 and says none."""
    with open(HERE / "cells.csv", newline="") as f:
        cells = list(csv.DictReader(f))
    assert [(c["name"], c["column"], c["value"]) for c in cells] == [(ROW, "recompute", "none")]
    assert "none" in RECOMPUTE
    row = read_catalog("measurements").filter(pl.col("name") == ROW).row(0, named=True)
    assert row["recompute"] == "none" and row["cpu_offloading_num_layers"] == 40
    c = cells[0]
    assert c["commit"] in row["source_url"]
    assert row["notes"].count(f"/blob/{c['commit']}/{c['path']}#L{c['line']} (") == 1


def test_replay_restores_the_cell_and_a_second_run_changes_nothing(apply, tmp_path):
    shutil.copy(REGISTRY / "measurements.parquet", tmp_path / "measurements.parquet")
    bundled = read_catalog("measurements", tmp_path)
    note = apply.cells()["note"][0]
    undone = bundled.with_columns(
        pl.when(pl.col("name") == ROW).then(None).otherwise(pl.col("recompute")).alias("recompute"),
        pl.when(pl.col("name") == ROW).then(pl.col("notes").str.replace(" " + note, "", literal=True))
        .otherwise(pl.col("notes")).alias("notes"))
    write_catalog(undone, "measurements", tmp_path)
    assert read_catalog("measurements", tmp_path).filter(pl.col("name") == ROW)["recompute"][0] is None
    for _ in range(2):
        assert apply.apply(tmp_path) == 1
        assert read_catalog("measurements", tmp_path).equals(bundled)
