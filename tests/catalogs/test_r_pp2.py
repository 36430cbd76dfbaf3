"""registry_data/research/r-pp2: Cisco's MLPerf Inference v5.1 Llama 2 70B rows on H100 state the TP1 x PP2 layout
their harness configs build (each value cited to the config and the run's user.conf), and replaying the patches
changes nothing."""

from __future__ import annotations

import csv
from pathlib import Path

import polars as pl

from pipeline.catalogs.io import read_catalog
from tests.catalogs.research import replayed

HERE = Path(__file__).resolve().parents[2] / "registry_data" / "research" / "r-pp2"


def _patches() -> list[dict]:
    with open(HERE / "patches.csv", newline="") as f:
        return list(csv.DictReader(f))


def test_the_eight_rows_state_tp1_pp2_from_the_config():
    """Offline and Server tokens/s, Server TTFT P50 and TPOT mean, x16 and x32: tp 1, pp 2, each cited to the
    config file (pipeline_parallelism 2) and the run's target_qps."""
    patches = _patches()
    assert len(patches) == 16 and {p["column"] for p in patches} == {"tp", "pp"}
    assert all("pipeline_parallelism 2" in p["source"] and "user.conf" in p["source"] for p in patches)
    rows = read_catalog("measurements").filter(pl.col("name").is_in([p["name"] for p in patches]))
    assert rows.height == 8
    assert rows["tp"].to_list() == [1] * 8 and rows["pp"].to_list() == [2] * 8
    assert (rows["model"] == "Llama 2 70B").all() and (rows["hardware"] == "H100 SXM5 80GB").all()


def test_replaying_the_patches_changes_nothing(tmp_path):
    applied, after, bundled = replayed(HERE, "apply_feas", tmp_path)
    assert applied == 16
    assert after.equals(bundled)
