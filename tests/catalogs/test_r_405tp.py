"""registry_data/research/r-405tp: the MLPerf Inference v5.1 Llama 3.1 405B Server and Interactive rows state the layout
their harness configs build (tensor_parallelism 8 on Hopper, 4 on Blackwell, pipeline_parallelism 1, each config's
server_target_qps the run's user.conf target), and replaying the patches changes nothing."""

from __future__ import annotations

import csv
from pathlib import Path

import polars as pl

from pipeline.catalogs.io import read_catalog
from tests.catalogs.research import replayed

HERE = Path(__file__).resolve().parents[2] / "registry_data" / "research" / "r-405tp"
HOPPER = {"H100 SXM5 80GB", "H200 SXM 141GB"}


def _patches() -> list[dict]:
    with open(HERE / "patches.csv", newline="") as f:
        return list(csv.DictReader(f))


def test_the_thirty_rows_state_the_config_layout():
    """10 runs x (tokens/s, TTFT P50, TPOT mean): Hopper tp 8, Blackwell tp 4, pp 1 everywhere (the configs at
    965182b0, e.g. closed/Nebius/configs/H200-SXM-141GBx8/Server/llama3_1-405b.py: tensor_parallelism 8,
    pipeline_parallelism 1, server_target_qps 0.452 = the run's user.conf target_qps 0.452); each source cites the
    config and the user.conf."""
    patches = _patches()
    assert len(patches) == 60 and {p["column"] for p in patches} == {"tp", "pp"}
    assert all("/configs/" in p["source"] and "user.conf target_qps" in p["source"] for p in patches)
    rows = read_catalog("measurements").filter(pl.col("name").is_in([p["name"] for p in patches]))
    assert rows.height == 30 and (rows["model"] == "Llama 3.1 405B").all() and (rows["scenario"] == "server").all()
    for r in rows.iter_rows(named=True):
        assert r["pp"] == 1 and r["tp"] == (8 if r["hardware"] in HOPPER else 4), r["name"]
        assert r["devices"] % r["tp"] == 0


def test_replaying_the_patches_changes_nothing(tmp_path):
    applied, after, bundled = replayed(HERE, "apply_feas", tmp_path)
    assert applied == 60
    assert after.equals(bundled)
