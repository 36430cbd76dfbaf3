"""registry_data/research/r-ttft: the seven MLPerf Inference v5.1 MI300X / MI325X runs whose vLLM harness sets
num_scheduler_steps above 1 state it (each patch cites the yaml line), and replaying the patches through r-feas
(`apply.py registry_data/research/r-ttft scheduler_steps:Int64`) changes nothing."""

from __future__ import annotations

import csv
import runpy
from pathlib import Path

import polars as pl

HERE = Path(__file__).resolve().parents[2] / "registry_data" / "research" / "r-ttft"


def test_each_patch_cites_its_harness_config_and_replays_to_the_catalog(tmp_path):
    with open(HERE / "patches.csv", newline="") as f:
        patches = list(csv.DictReader(f))
    assert len(patches) == 21 and {p["column"] for p in patches} == {"scheduler_steps"}
    assert all("/harness_llm/models/" in p["source"] and "965182b03376a00fcae415c54e560e1c83937932" in p["source"]
               for p in patches)
    registry, bare = HERE.parent.parent, pl.read_parquet(HERE.parent.parent / "measurements.parquet")
    bare.drop("scheduler_steps").write_parquet(tmp_path / "measurements.parquet")  # as on a tree without the column
    apply = runpy.run_path(str(HERE.parent / "r-feas" / "apply.py"))["apply"]
    assert apply(tmp_path, HERE, {"scheduler_steps": pl.Int64}) == 21
    replayed = pl.read_parquet(tmp_path / "measurements.parquet")
    later = pl.col("notes").str.contains("MLPerf Inference v5.1 closed datacenter (", literal=True)  # r-v50b's
    amdcfg = pl.read_csv(HERE.parent / "r-amdcfg" / "cells.csv").filter(pl.col("column") == "scheduler_steps")
    later = later | pl.col("name").is_in(amdcfg["name"].implode()) & ~pl.col("name").is_in(  # r-amdcfg's, not r-ttft's
        [p["name"] for p in patches])
    ttftmap = pl.read_csv(HERE.parent / "r-ttftmap" / "patches.csv")  # its v6.0 rows' scheduler_steps, read later
    later = later | pl.col("name").is_in(ttftmap["name"].implode())
    assert replayed.select(bare.columns).filter(~later).equals(bare.filter(~later))  # same rows, values and notes
